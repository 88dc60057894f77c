"""A process-kind agent in plain Python (standard library only).

agentd writes one JSON line on stdin ({"type": "input", "prompt": ..., "model": ...}) and sets
OPENAI_BASE_URL and OPENAI_API_KEY to its gateway and a key scoped to this task. The agent writes
JSON lines on stdout: progress, then its output. See docs/frameworks.md, "The process protocol".
"""

import json
import os
import sys
import urllib.request


def say(message):
    print(json.dumps(message), flush=True)


def chat(model, messages):
    request = urllib.request.Request(
        os.environ["OPENAI_BASE_URL"].rstrip("/") + "/chat/completions",
        data=json.dumps({"model": model, "messages": messages}).encode(),
        headers={
            "content-type": "application/json",
            "authorization": "Bearer " + os.environ["OPENAI_API_KEY"],
        },
    )
    with urllib.request.urlopen(request, timeout=120) as response:
        return json.load(response)["choices"][0]["message"]["content"] or ""


def main():
    task = json.loads(sys.stdin.readline())
    say({"type": "progress", "message": "summarizing"})
    try:
        text = chat(
            task["model"],
            [
                {"role": "system", "content": task.get("instructions") or "Summarize in three bullet points."},
                {"role": "user", "content": task["prompt"]},
            ],
        )
    except Exception as error:  # the gateway refused (budget) or failed: tell agentd why
        say({"type": "error", "message": str(error)})
        return 1
    say({"type": "output", "text": text})
    return 0


if __name__ == "__main__":
    sys.exit(main())
