"""One FastAPI router per resource; service/api.py includes them."""
