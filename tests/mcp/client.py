"""Drive `sleuth mcp` with the official MCP Python SDK and print what it answered, as JSON.

The Rust end-to-end tests (tests/e2e/mcp.rs) run this with a scenario on stdin and assert on
the transcript it prints: initialize, every page of tools/resources/prompts, the tool calls
asked for, resources read, prompts got, and the protocol checks the SDK does not make itself
(pagination with a cursor the server never gave, a call with invalid arguments, an unknown tool
and resource, a cancelled request followed by a normal one).

    python client.py < scenario.json > transcript.json

scenario: {"transport": "stdio", "command": [...], "env": {...}}
        | {"transport": "http", "url": "http://127.0.0.1:PORT/mcp", "token": "..."}
          + {"calls": [{"name", "arguments"}], "repeat": n, "read": [uri | "first-document"],
             "prompts": [{"name", "arguments"}], "checks": bool, "modern": bool}
"""

import json
import sys
import time
from contextlib import asynccontextmanager

import anyio
import httpx2
from mcp.client.session import ClientSession
from mcp.client.stdio import StdioServerParameters, stdio_client
from mcp.client.streamable_http import streamable_http_client
from mcp.shared.exceptions import MCPError
from mcp.types import PaginatedRequestParams


def dump(model):
    return model.model_dump(mode="json", by_alias=True, exclude_none=True)


def error(e):
    """An MCP error as {code, message}; anything else by its type and text."""
    if isinstance(e, MCPError):
        return {"code": e.error.code, "message": e.error.message}
    return {"code": None, "message": f"{type(e).__name__}: {e}"}


@asynccontextmanager
async def connect(scenario):
    if scenario["transport"] == "stdio":
        cmd = scenario["command"]
        params = StdioServerParameters(command=cmd[0], args=cmd[1:], env=scenario.get("env"))
        with open(scenario.get("stderr", "/dev/null"), "w") as errlog:
            async with stdio_client(params, errlog=errlog) as streams:
                yield streams
    else:
        headers = {"Authorization": f"Bearer {scenario['token']}"} if scenario.get("token") else {}
        async with httpx2.AsyncClient(headers=headers, timeout=60) as http:
            async with streamable_http_client(scenario["url"], http_client=http) as streams:
                yield streams


async def pages(list_page, key):
    """Every item of a paginated list, following nextCursor; and the number of pages."""
    items, cursor, count = [], None, 0
    while True:
        result = await list_page(params=PaginatedRequestParams(cursor=cursor) if cursor else None)
        count += 1
        items.extend(dump(x) for x in getattr(result, key))
        cursor = result.next_cursor
        if not cursor:
            return items, count


async def run(scenario):
    out = {}
    started = time.monotonic()
    async with connect(scenario) as (read, write):
        async with ClientSession(read, write) as s:
            init = await s.initialize()
            out["ready_ms"] = round((time.monotonic() - started) * 1000, 1)
            out["initialize"] = dump(init)
            out["tools"], out["tool_pages"] = await pages(s.list_tools, "tools")
            out["resources"], out["resource_pages"] = await pages(s.list_resources, "resources")
            out["templates"] = [dump(t) for t in (await s.list_resource_templates()).resource_templates]
            out["prompts"], _ = await pages(s.list_prompts, "prompts")

            out["calls"] = []
            for call in scenario.get("calls", []) * scenario.get("repeat", 1):
                t0 = time.monotonic()
                try:
                    r = await s.call_tool(call["name"], call.get("arguments", {}))
                    entry = {"name": call["name"], "is_error": bool(r.is_error),
                             "text": "\n".join(c.text for c in r.content if c.type == "text"),
                             "images": [c.mime_type for c in r.content if c.type == "image"],
                             "image_head": next((c.data[:12] for c in r.content if c.type == "image"), None),
                             "structured": r.structured_content}
                except Exception as e:  # noqa: BLE001 - the transcript says what happened
                    entry = {"name": call["name"], "error": error(e)}
                entry["ms"] = round((time.monotonic() - t0) * 1000, 2)
                out["calls"].append(entry)

            out["reads"] = []
            docs = [r["uri"] for r in out["resources"] if r["uri"].startswith("sleuth://docs/")]
            for uri in scenario.get("read", []):
                uri = docs[0] if uri == "first-document" else uri
                try:
                    r = await s.read_resource(uri)
                    out["reads"].append({"uri": uri, "contents": [dump(c) for c in r.contents]})
                except Exception as e:  # noqa: BLE001
                    out["reads"].append({"uri": uri, "error": error(e)})

            out["prompt_results"] = []
            for p in scenario.get("prompts", []):
                try:
                    r = await s.get_prompt(p["name"], p.get("arguments"))
                    out["prompt_results"].append({"name": p["name"], "result": dump(r)})
                except Exception as e:  # noqa: BLE001
                    out["prompt_results"].append({"name": p["name"], "error": error(e)})

            if scenario.get("checks"):
                out["checks"] = await checks(s)
    return out


async def checks(s):
    """What the SDK does not check for us."""
    c = {}
    try:
        await s.list_resources(params=PaginatedRequestParams(cursor="not-a-cursor-we-gave"))
        c["bad_cursor"] = {"code": None, "message": "accepted"}
    except Exception as e:  # noqa: BLE001
        c["bad_cursor"] = error(e)
    r = await s.call_tool("describe", {"kind": 5, "name": ["x"]})
    c["invalid_arguments"] = {"is_error": bool(r.is_error), "text": r.content[0].text if r.content else ""}
    r = await s.call_tool("explain_graph", {"path": "/etc/passwd"})
    c["file_path"] = {"is_error": bool(r.is_error), "text": r.content[0].text if r.content else ""}
    try:
        await s.call_tool("delete_pod", {"name": "x"})
        c["unknown_tool"] = {"code": None, "message": "accepted"}
    except Exception as e:  # noqa: BLE001
        c["unknown_tool"] = error(e)
    try:
        await s.read_resource("sleuth://docs/no-such-document")
        c["unknown_resource"] = {"code": None, "message": "accepted"}
    except Exception as e:  # noqa: BLE001
        c["unknown_resource"] = error(e)
    try:
        await s.get_prompt("investigate", {})
        c["missing_prompt_argument"] = {"code": None, "message": "accepted"}
    except Exception as e:  # noqa: BLE001
        c["missing_prompt_argument"] = error(e)
    # A request the client gives up on: the SDK sends notifications/cancelled; the session
    # must go on answering the next request with the right result.
    try:
        await s.call_tool("build_graph", {}, read_timeout_seconds=0.001)
        c["cancelled"] = "finished before the cancel"
    except Exception as e:  # noqa: BLE001
        c["cancelled"] = error(e)["message"]
    r = await s.call_tool("search_docs", {"query": "runbook", "k": 1})
    c["after_cancel"] = {"is_error": bool(r.is_error), "tool": "search_docs" if r.structured_content else None}
    return c


async def modern(scenario):
    """The SDK's high-level `Client` in its default mode: it probes `server/discover` (protocol
    2026-07-28) and falls back to the initialize handshake; either way the same tools answer."""
    from mcp import Client

    if scenario["transport"] == "stdio":
        cmd = scenario["command"]
        server = StdioServerParameters(command=cmd[0], args=cmd[1:], env=scenario.get("env"))
    else:
        server = scenario["url"]
    headers = {"Authorization": f"Bearer {scenario['token']}"} if scenario.get("token") else {}
    if headers:
        from mcp.client.streamable_http import streamable_http_client as http_transport

        http = httpx2.AsyncClient(headers=headers, timeout=60)
        server = http_transport(scenario["url"], http_client=http)
    async with Client(server) as c:
        tools = await c.list_tools()
        r = await c.call_tool("search_docs", {"query": "runbook", "k": 1})
        return {"protocol": c.protocol_version, "tools": len(tools.tools), "call_ok": not r.is_error}


def main():
    scenario = json.load(sys.stdin)
    out = anyio.run(run, scenario)
    if scenario.get("modern"):
        out["modern"] = anyio.run(modern, scenario)
    print(json.dumps(out))


if __name__ == "__main__":
    main()
