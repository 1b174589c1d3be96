"""run_tools: several calls per turn, tool errors, unknown tools, bad input, max_turns, and the exact blocks
sent back. The model is a scripted mock transport under the SDK's own HTTP client (httpx2)."""

from __future__ import annotations

import json
import random
from typing import Any

import anthropic
import httpx2
import pytest
from support import scripted_client_for

from devtools.synth import message_body, stream_events
from helpers._replay.sse import encode_event
from helpers._toolbox import collect_tools, schema_problems
from helpers.show import timeline
from helpers.tools import (
    MaxTurnsError,
    ToolCallAsTextError,
    ToolRun,
    TruncatedToolCallError,
    run_tools,
)

MODEL = "MiniMax-M2.1"


class ScriptedModel:
    """Answers each POST /v1/messages with the next scripted reply (synth's MiniMax-shaped bodies) and keeps
    every request body it was sent."""

    def __init__(self, *replies: dict[str, Any], stream: bool = False) -> None:
        self.stream = stream
        self.replies = list(replies)
        self.requests: list[dict[str, Any]] = []
        self.bodies: list[dict[str, Any]] = []
        self.rng = random.Random(7)

    def handle(self, request: Any) -> Any:
        body = json.loads(request.content)
        self.requests.append(body)
        for message in body["messages"]:  # as MiniMax does: a tool call sent back must have an object as input
            for block in message["content"] if isinstance(message["content"], list) else []:
                if block.get("type") == "tool_use" and not isinstance(block.get("input"), dict):
                    text = f"invalid params, invalid function arguments json string, tool_call_id: {block['id']} (2013)"
                    return httpx2.Response(
                        400, json={"type": "error", "error": {"type": "bad_request_error", "message": text}}
                    )
        if not self.replies:
            raise AssertionError("the loop made more model calls than the script has replies")
        reply = message_body(body, self.replies.pop(0), self.rng)
        self.bodies.append(reply)
        if not self.stream:
            return httpx2.Response(200, json=reply)
        assert body.get("stream") is True
        events = b"".join(encode_event(e) for e in stream_events(reply, self.rng, 60.0))
        return httpx2.Response(200, content=events, headers={"content-type": "text/event-stream"})

    def client(self) -> anthropic.Anthropic:
        return scripted_client_for(self.handle, max_retries=2)


def get_weather(city: str, unit: str = "celsius") -> str:
    """Current weather in a city.

    Args:
        city: The city name, e.g. "Paris".
        unit: "celsius" or "fahrenheit".
    """
    return f"{city}: 18 degrees {unit}, light rain"


def divide(a: float, b: float) -> float:
    """Divide a by b.

    Args:
        a: The dividend.
        b: The divisor.
    """
    return a / b


def call(name: str, arguments: dict[str, Any]) -> dict[str, Any]:
    return {"name": name, "input": arguments}


def ask(text: str) -> list[dict[str, Any]]:
    return [{"role": "user", "content": text}]


def test_two_calls_in_one_turn_are_answered_in_one_user_message() -> None:
    model = ScriptedModel(
        {
            "thinking": "Two cities, two calls.",
            "tool_calls": [call("get_weather", {"city": "Paris"}), call("get_weather", {"city": "Oslo"})],
        },
        {"thinking": "Both results are in.", "text": "\n\nParis is rainy; so is Oslo."},
    )
    run = run_tools(model.client(), model=MODEL, max_tokens=500, messages=ask("Paris and Oslo?"), tools=[get_weather])
    assert len(model.requests) == 2
    results = model.requests[1]["messages"][-1]
    assert results["role"] == "user"
    ids = [b["id"] for b in model.bodies[0]["content"] if b["type"] == "tool_use"]
    assert [b["tool_use_id"] for b in results["content"]] == ids
    assert [b["content"] for b in results["content"]] == [
        "Paris: 18 degrees celsius, light rain",
        "Oslo: 18 degrees celsius, light rain",
    ]
    assert all("is_error" not in b for b in results["content"])
    assert all(i.startswith("call_function_") and i.endswith(f"_{n}") for n, i in enumerate(ids, start=1))
    assert run.text == "Paris is rainy; so is Oslo."
    assert [m["role"] for m in run.history] == ["user", "assistant", "user", "assistant"]
    assert run.usage()["calls"] == 2


def test_blocks_sent_back_are_exactly_what_the_model_returned() -> None:
    model = ScriptedModel(
        {
            "thinking": "Weather first.\n",
            "text": "\n\nLet me check.",
            "tool_calls": [call("get_weather", {"city": "Nice", "unit": "fahrenheit"})],
        },
        {"thinking": "Now divide.", "tool_calls": [call("divide", {"a": 9, "b": 3})]},
        {"thinking": "Done.", "text": "\n\n3."},
    )
    run_tools(model.client(), model=MODEL, max_tokens=500, messages=ask("go"), tools=[get_weather, divide])
    for turn in (1, 2):
        sent = model.requests[turn]["messages"][2 * turn - 1]
        assert sent == {"role": "assistant", "content": model.bodies[turn - 1]["content"]}
    thinking = model.requests[2]["messages"][1]["content"][0]
    assert thinking["type"] == "thinking" and thinking["thinking"] == "Weather first.\n"
    assert len(thinking["signature"]) == 64
    assert model.requests[2]["messages"][1]["content"][1] == {"type": "text", "text": "\n\nLet me check."}
    assert model.requests[2]["messages"][4]["content"][0]["content"] == "3.0"


def test_a_tool_that_raises_becomes_an_error_result_and_the_loop_goes_on() -> None:
    model = ScriptedModel(
        {"thinking": "Divide.", "tool_calls": [call("divide", {"a": 1, "b": 0})]},
        {"thinking": "Division by zero: say so.", "text": "\n\nYou cannot divide by zero."},
    )
    run = run_tools(model.client(), model=MODEL, max_tokens=500, messages=ask("1/0?"), tools=[divide])
    result = model.requests[1]["messages"][-1]["content"][0]
    assert result["is_error"] is True
    assert result["content"] == "ZeroDivisionError: float division by zero"
    assert run.final.stop_reason == "end_turn"


def test_unknown_tool_and_bad_input_are_answered_as_errors() -> None:
    model = ScriptedModel(
        {
            "thinking": "Try.",
            "tool_calls": [
                call("get_time", {}),
                call("get_weather", {"town": "Paris"}),
                call("get_weather", {"city": 42}),
            ],
        },
        {"thinking": "Fix it.", "text": "\n\nSorry."},
    )
    run_tools(model.client(), model=MODEL, max_tokens=500, messages=ask("x"), tools=[get_weather])
    unknown, missing, wrong_type = model.requests[1]["messages"][-1]["content"]
    assert all(r["is_error"] for r in (unknown, missing, wrong_type))
    assert unknown["content"] == "Unknown tool 'get_time'. Available tools: get_weather."
    assert "missing required property 'city'" in missing["content"]
    assert "unexpected property 'town'" in missing["content"]
    assert wrong_type["content"] == "Invalid input for get_weather: input.city: expected string, got 42"


def test_definition_dicts_with_functions() -> None:
    definition = {
        "name": "lookup",
        "description": "Look a word up.",
        "input_schema": {"type": "object", "properties": {"word": {"type": "string"}}, "required": ["word"]},
    }
    model = ScriptedModel(
        {"thinking": "Look up.", "tool_calls": [call("lookup", {"word": "tea"})]},
        {"thinking": "Ok.", "text": "\n\nA drink."},
    )
    run = run_tools(
        model.client(),
        model=MODEL,
        max_tokens=500,
        messages=ask("tea?"),
        tools=[definition],
        functions={"lookup": lambda word: {"word": word, "meaning": "a drink"}},
    )
    assert model.requests[0]["tools"] == [definition]
    assert model.requests[1]["messages"][-1]["content"][0]["content"] == '{"word": "tea", "meaning": "a drink"}'
    assert run.tool_calls[0]["input"] == {"word": "tea"}


def test_tools_from_functions_use_beta_tool_schema() -> None:
    (tool,) = collect_tools([get_weather])
    assert tool.definition == anthropic.beta_tool(get_weather).to_dict()
    assert tool.definition["input_schema"]["required"] == ["city"]
    assert tool.definition["description"] == "Current weather in a city."


def test_max_turns_raises_with_the_history() -> None:
    asks_forever = {"thinking": "Again.", "tool_calls": [call("get_weather", {"city": "Rome"})]}
    model = ScriptedModel(asks_forever, asks_forever)
    with pytest.raises(MaxTurnsError, match="max_turns=2") as caught:
        run_tools(model.client(), model=MODEL, max_tokens=500, messages=ask("loop"), tools=[get_weather], max_turns=2)
    error = caught.value
    assert len(model.requests) == 2
    assert [m["role"] for m in error.history] == ["user", "assistant", "user", "assistant", "user"]
    assert error.history[-1]["content"][0]["type"] == "tool_result"
    assert len(error.responses) == 2


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"messages": []}, "non-empty list"),
        ({"max_turns": 0}, "max_turns"),
        ({"extra": {"temperature": 0.5}}, "extra_body"),
        ({"tools": [{"name": "x", "input_schema": {"type": "object"}}]}, "no function to run"),
        ({"tools": [get_weather], "functions": {"nope": print}}, "no tool of that name"),
        ({"tools": [get_weather, get_weather]}, "unique"),
        ({"tools": [42]}, "not int"),
        ({"tools": get_weather}, "a list of tools"),
        ({"tools": [get_weather], "functions": {"get_weather": print}}, "is a function already"),
        ({"tools": [anthropic.beta_tool(divide)], "functions": {"divide": print}}, "is a function already"),
    ],
)
def test_bad_arguments_fail_before_anything_is_sent(kwargs: dict[str, Any], message: str) -> None:
    model = ScriptedModel()
    arguments: dict[str, Any] = {"messages": ask("x"), "tools": [get_weather], "functions": None, "max_turns": 3}
    arguments.update({k: v for k, v in kwargs.items() if k != "extra"})
    with pytest.raises((ValueError, TypeError), match=message):
        run_tools(model.client(), model=MODEL, max_tokens=100, **arguments, **kwargs.get("extra", {}))
    assert model.requests == []


def test_schema_problems_cover_enum_items_and_booleans() -> None:
    schema = {
        "type": "object",
        "properties": {"kind": {"enum": ["a", "b"]}, "ids": {"type": "array", "items": {"type": "integer"}}},
    }
    assert schema_problems(schema, {"kind": "a", "ids": [1, 2]}) == []
    assert schema_problems(schema, {"kind": "c", "ids": [1, True]}) == [
        'input.kind: "c" is not one of ["a", "b"]',
        "input.ids[1]: expected integer, got true",
    ]
    cities = {"type": "object", "properties": {"city": {"enum": ["北京", "上海"]}}, "additionalProperties": False}
    assert schema_problems(cities, {"city": "巴黎", "x": 1}) == [
        'input.city: "巴黎" is not one of ["北京", "上海"]',
        "input: unexpected property 'x' (allowed: city)",
    ]


def test_tool_calls_skip_plain_string_turns() -> None:
    history = [
        {"role": "user", "content": "hi"},
        {"role": "assistant", "content": "Hello!"},
        {"role": "user", "content": "weather?"},
        {"role": "assistant", "content": [{"type": "tool_use", "id": "call_1", "name": "get_weather", "input": {}}]},
    ]
    assert [c["id"] for c in ToolRun(final=None, history=history).tool_calls] == ["call_1"]


def test_timeline_lists_every_step_in_order() -> None:
    model = ScriptedModel(
        {"thinking": "Call it.", "tool_calls": [call("get_weather", {"city": "Lyon"})]},
        {"thinking": "Answer.", "text": "\n\nRainy."},
    )
    run = run_tools(model.client(), model=MODEL, max_tokens=500, messages=ask("Lyon?"), tools=[get_weather])
    text = timeline(run).text()
    order = [
        text.index(s) for s in ("Lyon?", "Call it.", "[tool call · get_weather", "[tool result", "Answer.", "Rainy.")
    ]
    assert order == sorted(order)
    assert "model call 2 · stop: end_turn" in text
    assert '<div class="minimax-timeline">' in timeline(run).html()


def test_streamed_turns_send_back_the_same_blocks_and_show_tool_results(capsys: pytest.CaptureFixture[str]) -> None:
    model = ScriptedModel(
        {
            "thinking": "Two calls.",
            "tool_calls": [call("get_weather", {"city": "Bern"}), call("divide", {"a": 1, "b": 0})],
        },
        {"thinking": "One failed.", "text": "\n\nBern: rain. 1/0 is undefined."},
        stream=True,
    )
    run = run_tools(
        model.client(), model=MODEL, max_tokens=500, messages=ask("both"), tools=[get_weather, divide], stream=True
    )
    assert model.requests[1]["messages"][1] == {"role": "assistant", "content": model.bodies[0]["content"]}
    results = model.requests[1]["messages"][2]["content"]
    assert [r.get("is_error", False) for r in results] == [False, True]
    assert run.text == "Bern: rain. 1/0 is undefined."
    shown = capsys.readouterr().out
    assert "[tool result · call_function_" in shown and "[tool error · call_function_" in shown


def test_timeline_of_a_continued_run_puts_each_usage_on_its_own_model_call() -> None:
    asks = {"thinking": "Again.", "tool_calls": [call("get_weather", {"city": "Rome"})]}
    model = ScriptedModel(asks, {"thinking": "Done.", "text": "\n\nSunny."})
    with pytest.raises(MaxTurnsError) as caught:
        run_tools(model.client(), model=MODEL, max_tokens=500, messages=ask("Rome?"), tools=[get_weather], max_turns=1)
    run = run_tools(model.client(), model=MODEL, max_tokens=500, messages=caught.value.history, tools=[get_weather])
    text = timeline(run).text()
    assert "── model call 1 ──" in text, "the earlier call's usage is not in this run's responses"
    assert f"model call 2 · stop: end_turn · tokens: {run.final.usage.input_tokens} in" in text


def test_a_tool_call_cut_by_max_tokens_is_not_run() -> None:
    ran: list[str] = []

    def lookup(city: str) -> str:
        """Look a city up.

        Args:
            city: The city.
        """
        ran.append(city)
        return city

    model = ScriptedModel(
        {"thinking": "Look it up.", "tool_calls": [call("lookup", {"city": "Par"})], "stop_reason": "max_tokens"}
    )
    with pytest.raises(
        TruncatedToolCallError, match="stopped at max_tokens while writing a tool call \\(lookup\\)"
    ) as error:
        run_tools(model.client(), messages=ask("Where?"), tools=[lookup], model=MODEL, max_tokens=50)
    assert ran == [], "a possibly cut-off call must not run"
    assert error.value.history == ask("Where?"), "the history stops before the cut turn, ready to run again"
    assert error.value.turn == 1 and len(error.value.responses) == 1


def _overloaded(request: Any) -> Any:
    return httpx2.Response(529, json={"type": "error", "error": {"type": "overloaded_error", "message": "busy"}})


@pytest.mark.parametrize(
    ("failure", "caught"),
    [
        (_overloaded, anthropic.APIStatusError),  # OverloadedError subclasses InternalServerError only after 2.0
        (lambda request: (_ for _ in ()).throw(httpx2.ReadTimeout("slow", request=request)), anthropic.APITimeoutError),
        (lambda request: (_ for _ in ()).throw(KeyboardInterrupt()), KeyboardInterrupt),
    ],
    ids=["529-after-retries", "timeout", "ctrl-c"],
)
def test_an_error_after_a_paid_call_keeps_the_history_and_its_own_type(failure: Any, caught: type) -> None:
    first = {"thinking": "Weather.", "tool_calls": [call("get_weather", {"city": "Rome"})]}
    model = ScriptedModel(first)
    scripted = model.handle

    def handle(request: Any) -> Any:
        return scripted(request) if not model.bodies else failure(request)

    client = scripted_client_for(handle, max_retries=0)
    with pytest.raises(caught) as raised:
        run_tools(client, model=MODEL, max_tokens=500, messages=ask("Rome?"), tools=[get_weather])
    error = raised.value
    assert [m["role"] for m in error.history] == ["user", "assistant", "user"]  # type: ignore[attr-defined]
    assert error.history[-1]["content"][0]["content"].startswith("Rome: 18")  # type: ignore[attr-defined]
    assert len(error.responses) == 1  # type: ignore[attr-defined]
    assert any("error.history" in note for note in error.__notes__)
    continued = ScriptedModel({"text": "Rainy, 18 degrees."})
    run = run_tools(continued.client(), model=MODEL, max_tokens=500, messages=error.history, tools=[get_weather])  # type: ignore[attr-defined]
    assert run.text == "Rainy, 18 degrees." and len(continued.requests) == 1, "continued without paying again"


def test_an_error_on_the_first_call_has_nothing_paid_to_keep() -> None:
    client = scripted_client_for(_overloaded, max_retries=0)
    with pytest.raises(anthropic.APIStatusError) as raised:  # OverloadedError's parent differs across 2.x releases
        run_tools(client, model=MODEL, max_tokens=500, messages=ask("Rome?"), tools=[get_weather])
    assert raised.value.status_code == 529
    assert not hasattr(raised.value, "history")


def test_functions_that_is_not_a_dict_is_refused_before_sending() -> None:
    model = ScriptedModel()
    with pytest.raises(TypeError, match="functions= takes a dict"):
        run_tools(model.client(), model=MODEL, max_tokens=100, messages=ask("x"), tools=[get_weather], functions="x")  # type: ignore[arg-type]
    assert model.requests == []


def _lookup_that_records(ran: list[str]) -> Any:
    def lookup(city: str) -> str:
        """Look a city up.

        Args:
            city: The city.
        """
        ran.append(city)
        return f"{city}: found"

    return lookup


@pytest.mark.parametrize(
    ("arguments", "why"),
    [
        ("{'city': 'Paris'}", "not valid JSON (Expecting property name enclosed in double quotes"),
        ('{"city": "Paris"}', "not a JSON object"),  # a string holding JSON: still not an object
        (["Paris"], "not a JSON object"),
        (None, "not a JSON object"),
    ],
    ids=["single-quotes", "double-encoded", "array", "null"],
)
@pytest.mark.parametrize("stream", [False, True], ids=["create", "stream"])
@pytest.mark.filterwarnings("error::UserWarning")  # no pydantic warning about the broken input on either path
def test_arguments_that_are_not_a_json_object_get_an_error_result_and_are_not_run(
    arguments: Any, why: str, stream: bool
) -> None:
    ran: list[str] = []
    model = ScriptedModel(
        {"thinking": "Look it up.", "tool_calls": [call("lookup", arguments)]},
        {"thinking": "My arguments were broken: again, as JSON.", "tool_calls": [call("lookup", {"city": "Paris"})]},
        {"thinking": "Found.", "text": "\n\nParis: found."},
        stream=stream,
    )
    run = run_tools(
        model.client(),
        model=MODEL,
        max_tokens=500,
        messages=ask("Paris?"),
        tools=[_lookup_that_records(ran)],
        stream=stream,
    )
    assert ran == ["Paris"], "only the second, well-formed call ran"
    sent_call, result = model.requests[1]["messages"][1]["content"][-1], model.requests[1]["messages"][2]["content"][0]
    assert sent_call["input"] == {}, "the broken arguments are not sent back (MiniMax refuses them with 2013)"
    assert sent_call["id"] == result["tool_use_id"] == model.bodies[0]["content"][-1]["id"]
    assert result["is_error"] is True
    assert result["content"].startswith(f"The arguments of this call were {why}")
    assert (
        "so lookup was not run: got " in result["content"]
        and "JSON object that fits its input schema" in result["content"]
    )
    assert run.text == "Paris: found."


def test_a_tool_call_written_as_text_is_reported_not_run_and_not_taken_for_an_answer() -> None:
    ran: list[str] = []
    markup = (
        '\n\n<minimax:tool_call>\n<invoke name="lookup">\n<parameter name="city">Oslo</parameter>\n'
        "</invoke>\n</minimax:tool_call>"
    )
    model = ScriptedModel(
        {"thinking": "Paris first.", "tool_calls": [call("lookup", {"city": "Paris"})]},
        {"thinking": "Now Oslo.", "text": markup},
    )
    with pytest.raises(ToolCallAsTextError, match=r"Model call 2 wrote a tool call as text .*lookup") as error:
        run_tools(
            model.client(), model=MODEL, max_tokens=500, messages=ask("Paris, Oslo?"), tools=[_lookup_that_records(ran)]
        )
    assert ran == ["Paris"], "the call written as text is not run"
    assert error.value.text == markup and error.value.turn == 2 and len(error.value.responses) == 2
    assert [m["role"] for m in error.value.history] == ["user", "assistant", "user"], "stops before that turn"
    assert error.value.history[-1]["content"][0]["content"] == "Paris: found"


def test_the_run_errors_speak_the_language_in_use_and_keep_their_values() -> None:
    """Issue 21: run_tools' errors are Chinese after set_language("zh-CN"); the values they carry stay the same."""
    import helpers

    asks_forever = {"thinking": "Again.", "tool_calls": [call("get_weather", {"city": "Rome"})]}
    try:
        helpers.set_language("zh-CN")
        with pytest.raises(MaxTurnsError, match="次模型调用后仍在请求工具") as caught:
            run_tools(
                ScriptedModel(asks_forever).client(),
                model=MODEL,
                max_tokens=500,
                messages=ask("x"),
                tools=[get_weather],
                max_turns=1,
            )
        with pytest.raises(TypeError, match="tools= 接受一个工具列表"):
            collect_tools(get_weather)  # type: ignore[arg-type]
    finally:
        helpers.set_language(None)
    assert caught.value.max_turns == 1 and len(caught.value.history) == 3 and len(caught.value.responses) == 1
