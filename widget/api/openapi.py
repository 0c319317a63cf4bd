"""The OpenAPI 3.1 description of /api/v1, served at /api/v1/openapi.json."""

from __future__ import annotations

from typing import Any

NULLABLE_STRING = {"type": ["string", "null"]}

ERROR = {
    "type": "object",
    "required": ["error"],
    "properties": {
        "error": {
            "type": "object",
            "required": ["code", "message"],
            "properties": {
                "code": {"type": "string"},
                "message": {"type": "string"},
                "field": {"type": "string"},
            },
        }
    },
}

COMMENT = {
    "type": "object",
    "required": ["id", "parent_id", "author_name", "author_url", "html", "status", "created_at"],
    "properties": {
        "id": {"type": "integer"},
        "parent_id": {"type": ["integer", "null"]},
        "author_name": {"type": "string"},
        "author_url": NULLABLE_STRING,
        "html": {"type": "string", "description": "Sanitised HTML, safe to insert as is."},
        "status": {"type": "string", "enum": ["published", "pending", "deleted"]},
        "created_at": {"type": "string", "format": "date-time"},
        "edited_at": {"type": ["string", "null"], "format": "date-time"},
    },
}

NEW_COMMENT = {
    "type": "object",
    "required": ["site", "url", "body", "author_name", "author_email"],
    "additionalProperties": False,
    "properties": {
        "site": {"type": "string", "description": "The site key from the snippet."},
        "url": {"type": "string", "description": "The page URL; normalised to key its thread."},
        "title": {"type": "string", "description": "The page title (cut to 300 characters)."},
        "parent_id": {"type": ["integer", "null"], "description": "The comment replied to."},
        "body": {"type": "string", "maxLength": 20000, "description": "Markdown."},
        "author_name": {"type": "string", "maxLength": 100},
        "author_email": {"type": "string", "maxLength": 254, "description": "Never shown."},
        "author_url": {"type": "string", "description": "Optional website, http(s)."},
        "form_token": {
            "type": "string",
            "description": "From POST /session/resume or the last post's answer: when the form "
            "was shown (spam check). Each passes once.",
        },
        "homepage": {"type": "string", "description": "The form's honeypot: leave it empty."},
        "notify_replies": {
            "type": "boolean",
            "description": "Email the author replies to this comment (after they confirm, "
            "unless their provider verified the address).",
        },
    },
}


def _error_response(description: str) -> dict[str, Any]:
    return {
        "description": description,
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
    }


def _json(schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def openapi_document(server_url: str) -> dict[str, Any]:
    comment_ref = {"$ref": "#/components/schemas/Comment"}
    posted = {
        "allOf": [
            comment_ref,
            {
                "type": "object",
                "required": ["edit_key", "form_token"],
                "properties": {
                    "edit_key": {"type": "string"},
                    "form_token": {"type": "string", "description": "For the next post."},
                },
            },
        ]
    }
    counts_answer = _json(
        {
            "type": "object",
            "required": ["counts", "labels"],
            "properties": {
                "counts": {"type": "object", "additionalProperties": {"type": "integer"}},
                "labels": {"type": "object", "additionalProperties": {"type": "string"}},
            },
        },
        "Each URL as given, with its count, and the count in words",
    )
    return {
        "openapi": "3.1.0",
        "info": {"title": "Comment widget API", "version": "1"},
        "servers": [{"url": f"{server_url}/api/v1"}],
        "paths": {
            "/threads": {
                "get": {
                    "summary": "A page's thread and its published comments, oldest first",
                    "description": (
                        "A page of top-level comments, each followed by all its replies; "
                        "`next_cursor` asks for the next page, until it is null."
                    ),
                    "parameters": [
                        {
                            "name": "site",
                            "in": "query",
                            "required": True,
                            "schema": {"type": "string"},
                        },
                        {
                            "name": "url",
                            "in": "query",
                            "required": True,
                            "schema": {"type": "string"},
                        },
                        {
                            "name": "cursor",
                            "in": "query",
                            "required": False,
                            "description": "An earlier answer's `next_cursor`; opaque.",
                            "schema": {"type": "string", "maxLength": 200},
                        },
                        {
                            "name": "limit",
                            "in": "query",
                            "required": False,
                            "description": "Top-level comments in the page (50 unless set).",
                            "schema": {"type": "integer", "minimum": 1, "maximum": 100},
                        },
                    ],
                    "responses": {
                        "200": _json({"$ref": "#/components/schemas/Thread"}, "The thread"),
                        "400": _error_response(
                            "A parameter is missing or malformed (`field` names it)"
                        ),
                        "404": _error_response("No site has that key"),
                    },
                }
            },
            "/counts": {
                "get": {
                    "summary": "Published comment counts for up to 100 pages of a site",
                    "parameters": [
                        {
                            "name": "site",
                            "in": "query",
                            "required": True,
                            "schema": {"type": "string"},
                        },
                        {
                            "name": "url",
                            "in": "query",
                            "required": True,
                            "schema": {
                                "type": "array",
                                "items": {"type": "string"},
                                "maxItems": 100,
                            },
                            "style": "form",
                            "explode": True,
                        },
                    ],
                    "responses": {
                        "200": counts_answer,
                        "400": _error_response("No url, or more than 100"),
                        "404": _error_response("No site has that key"),
                    },
                },
                "post": {
                    "summary": "The same counts, asked in a body (for long URLs)",
                    "description": (
                        "For pages whose URLs would make the GET's query string too long for a "
                        "proxy (gunicorn takes 4 KB). Sent as `text/plain` (JSON inside), a "
                        "browser needs no CORS preflight for it."
                    ),
                    "requestBody": {
                        "required": True,
                        "content": {
                            media: {
                                "schema": {
                                    "type": "object",
                                    "required": ["site", "urls"],
                                    "properties": {
                                        "site": {"type": "string"},
                                        "urls": {
                                            "type": "array",
                                            "items": {"type": "string"},
                                            "minItems": 1,
                                            "maxItems": 100,
                                        },
                                    },
                                }
                            }
                            for media in ("text/plain", "application/json")
                        },
                    },
                    "responses": {
                        "200": counts_answer,
                        "400": _error_response("Not a JSON object, no urls, or more than 100"),
                        "404": _error_response("No site has that key"),
                    },
                },
            },
            "/comments": {
                "post": {
                    "summary": "Post a comment as a guest",
                    "description": (
                        "Accepted only as JSON with `X-Requested-With: XMLHttpRequest` and, when "
                        "the browser sends an Origin, the service's own origin."
                    ),
                    "parameters": [
                        {
                            "name": "X-Requested-With",
                            "in": "header",
                            "required": True,
                            "schema": {"type": "string", "enum": ["XMLHttpRequest"]},
                        },
                    ],
                    "requestBody": {
                        "required": True,
                        "content": {
                            "application/json": {
                                "schema": {"$ref": "#/components/schemas/NewComment"}
                            }
                        },
                    },
                    "responses": {
                        "201": _json(posted, "Published"),
                        "202": _json(posted, "Held for moderation"),
                        "400": _error_response("A field is missing or malformed"),
                        "403": _error_response(
                            "Not from the service's own iframe, or a bearer token made on "
                            "another site (`wrong_site`)"
                        ),
                        "404": _error_response("No site has that key"),
                        "413": _error_response("The request body is too large"),
                        "415": _error_response("The body is not JSON"),
                    },
                }
            },
        },
        "components": {
            "schemas": {
                "Error": ERROR,
                "Comment": COMMENT,
                "NewComment": NEW_COMMENT,
                "Thread": {
                    "type": "object",
                    "required": ["thread", "comments", "next_cursor"],
                    "properties": {
                        "thread": {
                            "type": "object",
                            "required": ["id", "url", "title", "count"],
                            "properties": {
                                "id": {"type": ["integer", "null"]},
                                "url": {"type": "string"},
                                "title": {"type": "string"},
                                "count": {"type": "integer"},
                            },
                        },
                        "comments": {"type": "array", "items": comment_ref},
                        "next_cursor": {
                            "type": ["string", "null"],
                            "description": "Pass as `cursor` for the next page; null on the last.",
                        },
                    },
                },
            }
        },
    }
