"""`python -m infra.build.lint_template template.yaml`: every template check, non-zero on problems.

1. cfn-lint on the template as written;
2. cfn-lint on the SAM-transformed template (cfn-lint no longer expands SAM itself);
3. batchscore's own rules (infra/build/template_checks.py) and handler files;
4. `sam validate --lint` when .venv-sam exists (`make build` installs it).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from infra.build.cfn_lint import lint_template_file, lint_transformed
from infra.build.problems import Problem
from infra.build.sam_translate import TranslationFailed, translate
from infra.build.sam_validate import SAM_VENV, sam_executable, sam_validate
from infra.build.template_checks import check_handlers, check_template
from infra.build.template_source import TemplateUnreadable, load_template

TRANSFORMED_PATH = Path(".aws-sam/lint/template.transformed.json")


def lint(
    template_path: Path, transformed_path: Path, code_root: Path, sam_venv: Path | None
) -> list[Problem]:
    """Every problem in `template_path`, whose code paths are under `code_root`.

    `sam validate` runs only if `sam_venv` has sam.
    """
    try:
        template = load_template(template_path)
    except TemplateUnreadable as exc:
        return exc.problems
    problems = lint_template_file(template_path)
    try:
        problems += lint_transformed(translate(template.body), transformed_path, template)
    except TranslationFailed as exc:
        problems += [Problem(str(template_path), 1, 1, "sam-translate", m) for m in exc.messages]
    problems += check_template(template)
    problems += check_handlers(template, code_root)
    sam = sam_executable(sam_venv) if sam_venv else None
    if sam is not None:
        problems += sam_validate(template_path, sam)
    return problems


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("template", type=Path, nargs="?", default=Path("template.yaml"))
    parser.add_argument("--transformed", type=Path, default=TRANSFORMED_PATH)
    parser.add_argument("--root", type=Path, help="where CodeUri paths start (template's dir)")
    parser.add_argument("--sam-venv", type=Path, default=SAM_VENV)
    parser.add_argument("--no-sam-validate", action="store_true")
    arguments = parser.parse_args(argv)

    sam_venv = None if arguments.no_sam_validate else arguments.sam_venv
    code_root = arguments.root or arguments.template.resolve().parent
    problems = lint(arguments.template, arguments.transformed, code_root, sam_venv)
    for problem in problems:
        print(problem)
    if sam_venv is not None and sam_executable(sam_venv) is None:
        print(f"note: sam validate --lint not run: no {sam_venv}/bin/sam (make build installs it)")
    verdict = f"{len(problems)} problem(s)" if problems else "clean"
    print(f"{arguments.template}: {verdict}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
