"""Exercises: every registered check has a reference solution that calls it, and notebook 01's checks judge well."""

from __future__ import annotations

import json
import re
from pathlib import Path
from types import SimpleNamespace

import pytest

import helpers
from helpers import exercises

ROOT = Path(__file__).resolve().parent.parent
CHECK_CALL = re.compile(r"helpers\.check\(\s*[\"'](\d\d\.\d+)[\"']")


def _check_calls(path: Path) -> set[str]:
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    source = "\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "code")
    return set(CHECK_CALL.findall(source))


def _registered() -> set[str]:
    return set(exercises.CHECKS)


def test_every_registered_exercise_has_a_solution_that_runs_its_check() -> None:  # English: translations below
    solved = set().union(*(_check_calls(p) for p in (ROOT / "notebooks" / "solutions").glob("*.ipynb")))
    missing = sorted(_registered() - solved)
    assert not missing, f"no solution in notebooks/solutions/ calls helpers.check for {missing}"


def test_every_exercise_in_a_notebook_is_registered() -> None:
    asked = set().union(*(_check_calls(p) for p in (ROOT / "notebooks").glob("*.ipynb")))
    assert asked <= _registered(), f"notebooks check unknown exercises: {sorted(asked - _registered())}"


def test_each_translation_checks_the_same_exercises_as_its_english_twin() -> None:
    """The exercise ids are string literals, which a translation may change: `python -m devtools translations`
    cannot see a twin that checks "01.3" where its English notebook checks "01.2"; this does."""
    from devtools.translations import pairs

    twins = [p for p in pairs() if p.translation.exists()]
    assert twins, "notebook 01 has its Chinese twin"
    for pair in twins:
        assert _check_calls(pair.translation) == _check_calls(pair.english), pair.translation.name


def test_notebook_01_ends_with_four_short_exercises() -> None:
    asked = _check_calls(ROOT / "notebooks" / "01_quick_start.ipynb")
    assert asked == {"01.1", "01.2", "01.3", "01.4"}


def test_exercise_01_4_wants_the_key_only_in_the_auth_token_and_the_regions_url() -> None:
    def api_key_too(key, region):
        return {"ANTHROPIC_BASE_URL": helpers.REGIONS[region], "ANTHROPIC_AUTH_TOKEN": key, "ANTHROPIC_API_KEY": key}

    feedback = helpers.check("01.4", api_key_too)
    assert not feedback.passed and any("under no other name" in m for m in feedback.missing)
    assert any("unknown region" in r for r in feedback.right), "helpers.REGIONS[region] raises KeyError for 'eu'"

    def always_global(key, region):
        return {"ANTHROPIC_BASE_URL": helpers.REGIONS["global"], "ANTHROPIC_AUTH_TOKEN": key}

    assert any("cn: set ANTHROPIC_BASE_URL" in m for m in helpers.check("01.4", always_global).missing)

    def right(key, region):
        if region not in helpers.REGIONS:
            raise ValueError(f"unknown region {region!r}: use one of {', '.join(helpers.REGIONS)}")
        return {"ANTHROPIC_BASE_URL": helpers.REGIONS[region], "ANTHROPIC_AUTH_TOKEN": key}

    assert helpers.check("01.4", right).passed


def test_an_unknown_exercise_lists_the_known_ones() -> None:
    with pytest.raises(KeyError, match=r"01\.1"):
        helpers.check("99.9", None)


def test_answer_text_feedback_names_what_is_wrong() -> None:
    def with_thinking(message):
        return "".join(getattr(b, "text", getattr(b, "thinking", "")) for b in message.content)

    feedback = helpers.check("01.1", with_thinking)
    assert not feedback.passed
    assert any("thinking is not part of the answer" in m for m in feedback.missing)
    assert helpers.check("01.1", lambda m: "".join(b.text for b in m.content if b.type == "text")).passed
    assert not helpers.check("01.1", "not a function").passed


def test_next_turn_catches_dropped_thinking_and_a_mutated_history() -> None:
    def text_only(history, response, question):
        history.append({"role": "assistant", "content": [b for b in response.content if b.type == "text"]})
        history.append({"role": "user", "content": question})
        return history

    feedback = helpers.check("01.2", text_only)
    joined = " ".join(feedback.missing)
    assert "thinking block is missing" in joined and "do not change it" in joined

    def crashes(history, response, question):
        raise RuntimeError("oops")

    assert any("RuntimeError: oops" in m for m in helpers.check("01.2", crashes).missing)


def test_budget_check_on_recorded_responses(clean_env: Path) -> None:
    client = helpers.get_client(mode="replay", recordings="01_quick_start", quiet=True)
    request = {
        "model": "MiniMax-M2.1",
        "system": "You are a helpful assistant.",
        "messages": [{"role": "user", "content": [{"type": "text", "text": "Explain why the sky is blue."}]}],
    }
    assert not helpers.check("01.3", client.messages.create(max_tokens=40, **request)).passed
    assert helpers.check("01.3", client.messages.create(max_tokens=1000, **request)).passed
    with pytest.raises(helpers.NotRecordedError, match="not recorded"):
        client.messages.create(max_tokens=777, **request)
    assert not helpers.check("01.3", {"not": "a message"}).passed


def test_feedback_renders_as_text_and_html() -> None:
    feedback = helpers.check("01.1", lambda m: "")
    assert "not yet" in feedback.text() and "<li" in feedback._repr_html_()


@pytest.mark.parametrize(
    ("exercise", "answer"),
    [
        ("03.1", {"name": "convert_currency", "input_schema": {"type": "object", "properties": ["amount"]}}),
        ("03.1", {"name": "convert_currency", "input_schema": {"type": "object", "properties": {"amount": "number"}}}),
        ("03.2", lambda response, functions: {"role": "user", "content": ["5", "oops", "?"]}),
        ("03.2", "not a function"),
        ("04.1", "not a function"),
        ("05.1", lambda params: {**params, "extra_body": ["temperature", 0.7]}),
    ],
)
def test_a_malformed_answer_gets_feedback_not_a_traceback(exercise: str, answer: object) -> None:
    feedback = helpers.check(exercise, answer)
    assert not feedback.passed and feedback.missing and all(m for m in feedback.missing)


def test_follow_up_check_says_what_to_pass_when_given_the_wrong_things() -> None:
    first = {"role": "user", "content": "Plan a trip."}
    followup = SimpleNamespace(history=[first, {"role": "user", "content": [{"type": "text", "text": 5}]}])
    feedback = helpers.check("04.2", followup, None)
    assert feedback.missing == ["Pass the earlier run second: helpers.check('04.2', followup, run)."]
    partial = helpers.check("04.2", followup, SimpleNamespace(history=[first]))  # no .final; text not a str
    assert not partial.passed and any("answer" in m for m in partial.missing)
    assert any(m.startswith("Append") for m in partial.missing)


def test_a_non_function_is_named_for_what_it_is() -> None:
    feedback = helpers.check("03.2", 42)
    assert feedback.missing == ["Pass your function itself: helpers.check('03.2', f)."]


def test_first_token_timer_checks_the_recorded_times() -> None:
    import helpers

    def right(pairs):
        deltas = [(s, e) for s, e in pairs if e.type == "content_block_delta"]
        text = next((s for s, e in deltas if e.delta.type == "text_delta"), None)
        return {"first_token": deltas[0][0] if deltas else None, "first_answer_token": text}

    assert helpers.check("02.2", right).passed
    assert not helpers.check("02.2", lambda pairs: {"first_token": pairs[0][0], "first_answer_token": None}).passed
    assert not helpers.check("02.2", lambda pairs: {"first_token": 0.0}).passed
    assert not helpers.check("02.2", "not a function").passed


def test_bounded_loop_must_end_and_must_stop() -> None:
    import helpers

    def right(send, functions, history, max_calls):
        history = list(history)
        for _ in range(max_calls):
            reply = send(history)
            history.append({"role": "assistant", "content": reply.content})
            if reply.stop_reason != "tool_use":
                return history
            history.append(
                {
                    "role": "user",
                    "content": [
                        {"type": "tool_result", "tool_use_id": b.id, "content": functions[b.name](**b.input)}
                        for b in reply.content
                        if b.type == "tool_use"
                    ],
                }
            )
        raise RuntimeError("no answer")

    def unbounded(send, functions, history, max_calls):
        history = list(history)
        for _ in range(50):  # ignores max_calls
            reply = send(history)
            history.append({"role": "assistant", "content": reply.content})
            if reply.stop_reason != "tool_use":
                return history
            history.append({"role": "user", "content": [{"type": "tool_result", "tool_use_id": "x", "content": ""}]})
        return history

    assert helpers.check("03.3", right).passed
    feedback = helpers.check("03.3", unbounded)
    assert not feedback.passed and any("RuntimeError after 3 calls" in m for m in feedback.missing)


def test_exercise_04_1_accepts_thinking_without_a_signature_and_flags_an_empty_turn() -> None:
    """MiniMax sends thinking blocks without a signature and accepts them back (issue 20): not a problem. An assistant
    turn with no content (a null answer put back) is one."""

    def flags_missing_signatures(history: list) -> list:
        return [
            "no signature"
            for m in history
            if m["role"] == "assistant"
            for b in m["content"]
            if b["type"] == "thinking" and not b.get("signature")
        ]

    verdict = helpers.check("04.1", flags_missing_signatures)
    assert not verdict.passed
    assert any("without a signature is correct" in m for m in verdict.missing)
    assert any("no content at all" in m for m in verdict.missing)


def _safe_results(check_input: bool):  # a learner's answer, as the solution notebook writes it
    def safe_tool_results(response, functions):
        results = []
        for block in response.content:
            if block.type != "tool_use":
                continue
            if block.name not in functions:
                text = f"Unknown tool {block.name!r}. Available tools: {', '.join(sorted(functions))}."
            elif check_input and not isinstance(block.input, dict):
                text = f"The arguments must be a JSON object; got {block.input!r}. Call {block.name} again."
            else:
                try:
                    output = functions[block.name](**block.input)
                    results.append({"type": "tool_result", "tool_use_id": block.id, "content": str(output)})
                    continue
                except Exception as error:
                    text = f"{type(error).__name__}: {error}"
            results.append({"type": "tool_result", "tool_use_id": block.id, "content": text, "is_error": True})
        return {"role": "user", "content": results}

    return safe_tool_results


def test_safe_results_must_say_that_arguments_that_are_not_a_json_object_were_not_run() -> None:
    """A TypeError from `**block.input` is an error result, but tells the model nothing it can fix (issue 20)."""
    feedback = helpers.check("03.2", _safe_results(check_input=False))
    assert not feedback.passed
    assert feedback.missing == [
        "The fourth call's input is the string \"{'a': 2, 'b': 3}\", not a dict: do not call the function; send "
        "is_error: True and a content saying its arguments must be a JSON object."
    ]
    assert helpers.check("03.2", _safe_results(check_input=True)).passed


def test_exercise_04_3_wants_one_marker_on_the_last_tool_and_the_system_and_untouched_inputs() -> None:
    mark = {"type": "ephemeral"}

    def every_tool_in_place(tools, system):
        for tool in tools:
            tool["cache_control"] = mark
        return tools, [{"type": "text", "text": system, "cache_control": mark}] if isinstance(system, str) else system

    feedback = helpers.check("04.3", every_tool_in_place)
    joined = " ".join(feedback.missing)
    assert not feedback.passed and "last tool only" in joined and "copy.deepcopy" in joined
    assert "system prompt of two blocks" in joined, "a list system prompt left unmarked is caught"

    def right(tools, system):
        tools = [dict(t) for t in tools]
        tools[-1] = {**tools[-1], "cache_control": mark}
        blocks = [{"type": "text", "text": system}] if isinstance(system, str) else [dict(b) for b in system]
        blocks[-1] = {**blocks[-1], "cache_control": mark}
        return tools, blocks

    assert helpers.check("04.3", right).passed


def test_exercise_05_3_wants_old_results_noted_ids_kept_and_a_history_that_fits() -> None:
    from helpers.exercises import nb05

    history = nb05.agent_history()
    assert nb05.rough_tokens(history) + 8_000 > nb05.WINDOW, "the exercise's history must not fit as given"

    def drop_turns(messages, keep=2):
        return messages[:1] + messages[-2 * keep :]

    dropped = helpers.check("05.3", drop_turns)
    assert not dropped.passed and any("tool_use_id" in m for m in dropped.missing)

    def empty_all(messages, keep=2):
        return [
            {**m, "content": [{**b, "content": ""} if b.get("type") == "tool_result" else b for b in m["content"]]}
            if isinstance(m["content"], list)
            else m
            for m in messages
        ]

    emptied = helpers.check("05.3", empty_all)
    assert not emptied.passed and any("last `keep`" in m for m in emptied.missing)
    assert any("short note" in m for m in emptied.missing)


def test_exercise_02_1_takes_the_colours_in_either_language_but_all_three() -> None:
    """The Chinese twin asks for the colours in Chinese (红、绿、蓝); both editions' answers pass, a partial one not."""
    counts = {"message_start": 1, "content_block_delta": 3, "thinking_delta": 1, "text_delta": 1}
    counts |= {"signature_delta": 1, "content_block_start": 2, "content_block_stop": 2, "message_delta": 1}
    counts |= {"message_stop": 1}

    def colours_point(answer: str) -> bool:
        feedback = helpers.check("02.1", counts, answer)
        return not any("red, green and blue" in m for m in feedback.missing)

    assert colours_point("Red, green, blue") and colours_point("红，绿，蓝")
    assert not colours_point("红，绿") and not colours_point("Red, green, 蓝色以外")
