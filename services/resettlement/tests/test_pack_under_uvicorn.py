"""PackRenderer inside a real uvicorn server process: its spawned workers start, render and stop cleanly there."""

from __future__ import annotations

import io
import os
import socket
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import httpx
from pypdf import PdfReader

APP = textwrap.dedent(
    """
    import contextlib

    from starlette.applications import Starlette
    from starlette.responses import Response
    from starlette.routing import Route

    from resettlement.rendering import PackRenderer
    from resettlement.rendering.specimen import specimen


    @contextlib.asynccontextmanager
    async def lifespan(app):
        app.state.renderer = PackRenderer(workers=2)
        yield
        app.state.renderer.close()
        print("renderer closed", flush=True)


    async def pack(request):
        rendered = await request.app.state.renderer.render(specimen(full_name=request.path_params["name"]))
        return Response(rendered.pdf, media_type="application/pdf")


    app = Starlette(routes=[Route("/pack/{name}", pack)], lifespan=lifespan)
    """
)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_packs_render_in_a_uvicorn_served_app_and_the_server_stops_cleanly(tmp_path: Path) -> None:
    (tmp_path / "pack_app.py").write_text(APP)
    port = _free_port()
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(tmp_path), *sys.path])}
    # The console script, as a deployment would run it: its file is the main module the spawned workers see.
    uvicorn = Path(sys.executable).with_name("uvicorn")
    server = subprocess.Popen(
        [str(uvicorn), "pack_app:app", "--host", "127.0.0.1", "--port", str(port), "--log-level", "warning"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 120
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=120) as client:
            while True:
                try:
                    answer = client.get("/pack/Robin%20Uvicorn")
                    break
                except httpx.TransportError:
                    assert server.poll() is None, server.stdout.read().decode() if server.stdout else ""
                    assert time.monotonic() < deadline, "uvicorn did not start"
                    time.sleep(0.2)
            assert answer.status_code == 200
            assert answer.headers["content-type"] == "application/pdf"
            text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(answer.content)).pages)
            assert "Robin Uvicorn" in text
    finally:
        server.terminate()
        output = server.communicate(timeout=60)[0].decode()
    # SIGTERM: uvicorn runs the lifespan's shutdown, which closes the pool, then exits by the same signal.
    assert server.returncode in (0, -15), output
    assert "renderer closed" in output
    assert "Traceback" not in output, output
