"""Routers, request/response schemas and access checks: thin. Every response model is an `Outbound` with a
data class on every field (see shared/README.md); add each router to ROUTERS."""

from fastapi import APIRouter

from .routes import router

ROUTERS: list[APIRouter] = [router]
