"""{{name}}: {{description}}"""
