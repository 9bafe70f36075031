"""Which small GGUF model to embed: speed and "give one shell command" instruction following.

    python bench/compare_embedded_models.py MODEL.gguf [MODEL.gguf ...]

For each model: generation tokens/s (greedy, 64 tokens, median of 5, one thread as ccgpt uses
on a 2-core machine by default), and how many of a fixed set of tasks get a first line whose
command word is a right one, asked two ways: as a chat (system: one command only; needs the
model's chat template) and as a few-shot completion (works for base models too).
"""

from __future__ import annotations

import statistics
import sys
import time

TASKS = [
    ("list the files in this directory, including hidden ones", {"ls"}),
    ("show how much disk space each mounted filesystem uses", {"df"}),
    ("find all files ending in .log under /var/log", {"find"}),
    ("count the lines in the file notes.txt", {"wc"}),
    ("search for the word error in app.log", {"grep"}),
    ("show the running processes", {"ps", "top", "htop"}),
    ("print the current working directory", {"pwd"}),
    ("make a directory called build", {"mkdir"}),
    ("show the last 20 lines of server.log", {"tail"}),
    ("compress the folder photos into photos.tar.gz", {"tar"}),
]
SYSTEM = "You turn a task into one shell command. Reply with the command only, no explanation."
FEW_SHOT = (
    "Task: copy a.txt to b.txt\nCommand: cp a.txt b.txt\n\n"
    "Task: show today's date\nCommand: date\n\n"
    "Task: remove the empty directory tmp\nCommand: rmdir tmp\n\n"
    "Task: {task}\nCommand:"
)


def first_word(text: str) -> str:
    for line in text.strip().splitlines():
        line = line.strip().strip("`").strip()
        if line and not line.startswith(("bash", "sh", "```")) or line.startswith(("bash ", "sh ")):
            return line.lstrip("$ ").split()[0] if line.lstrip("$ ").split() else ""
    return ""


def measure(path: str) -> None:
    import llama_cpp

    llm = llama_cpp.Llama(model_path=path, n_ctx=1024, n_threads=1, verbose=False)
    has_template = "tokenizer.chat_template" in llm.metadata
    rates = []
    for _ in range(5):
        started = time.perf_counter()
        out = llm.create_completion("Once upon a time", max_tokens=64, temperature=0)
        rates.append(out["usage"]["completion_tokens"] / (time.perf_counter() - started))

    chat_ok = few_ok = 0
    examples = []
    for task, good in TASKS:
        few = llm.create_completion(FEW_SHOT.format(task=task), max_tokens=32, temperature=0, stop=["\n"])
        few_text = few["choices"][0]["text"]
        few_ok += first_word(few_text) in good
        if has_template:
            chat = llm.create_chat_completion(
                [{"role": "system", "content": SYSTEM}, {"role": "user", "content": task}], max_tokens=48, temperature=0
            )
            chat_text = chat["choices"][0]["message"]["content"]
            chat_ok += first_word(chat_text) in good
        else:
            chat_text = "(no chat template)"
        examples.append((task, few_text.strip(), chat_text.strip().replace("\n", " ⏎ ")[:70]))

    name = path.rsplit("/", 1)[-1]
    print(f"== {name}  license={llm.metadata.get('general.license')}  arch={llm.metadata.get('general.architecture')}")
    print(f"   tokens/s (1 thread, median of 5): {statistics.median(rates):.1f}")
    print(f"   one-command tasks right: few-shot {few_ok}/{len(TASKS)}, chat "
          + (f"{chat_ok}/{len(TASKS)}" if has_template else "n/a (base model, no chat template)"))
    for task, few_text, chat_text in examples:
        print(f"   - {task[:45]:<45} | few-shot: {few_text[:40]:<40} | chat: {chat_text}")


if __name__ == "__main__":
    for model in sys.argv[1:]:
        measure(model)
