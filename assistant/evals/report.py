"""Run folders for every eval: ``metrics.json`` (numbers + provenance), ``report.md`` (tables)
and ``chart.png`` (grouped bars). Generic over metric keys so retrieval, QA and briefing evals
share it; each metrics dict has the ``group_means`` shape: ``{"overall": {...}, "by_type": {...}}``.
"""

from __future__ import annotations

import json
import subprocess
from collections.abc import Mapping, Sequence
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from ..core.errors import InputError
from .datasets import file_hash

OVERALL = "overall"


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def git_commit(start: Path | None = None) -> str | None:
    """HEAD of the checkout the code runs from (read-only), or None outside a git tree."""
    where = start or Path(__file__).resolve().parent
    try:
        done = subprocess.run(
            ["git", "rev-parse", "--verify", "--quiet", "HEAD"],
            cwd=where, capture_output=True, text=True, timeout=5, check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return done.stdout.strip() or None


def run_meta(dataset: str | Path, settings_hash: str, started_at: str | None = None, **extra: Any) -> dict[str, Any]:
    """The provenance block of a run: which data, which settings, when, from which commit."""
    dataset = Path(dataset)
    return {
        "dataset": {"name": dataset.name, "path": str(dataset), "sha256": file_hash(dataset)},
        "settings_hash": settings_hash,
        "started_at": started_at or _now(),
        "git_commit": git_commit(),
        **extra,
    }


def load_baseline(path: str | Path) -> dict[str, Any]:
    """A previous run's main metrics (``overall``, ``by_type``), its ``meta`` and a display ``name``.

    ``path`` is a run folder or its metrics.json.
    """
    path = Path(path)
    file = path / "metrics.json" if path.is_dir() else path
    try:
        data = json.loads(file.read_text(encoding="utf-8"))
    except FileNotFoundError:
        hint = "point --baseline at a previous run folder"
        raise InputError(f"{file}: no metrics.json for the baseline", hint=hint) from None
    except json.JSONDecodeError as err:
        raise InputError(f"{file}: invalid JSON at line {err.lineno}, column {err.colno}: {err.msg}") from None
    if not isinstance(data, dict) or not isinstance(data.get(OVERALL), dict):
        raise InputError(f"{file}: not a metrics.json written by the eval harness (no 'overall' block)")
    name = data.get("main_variant") or "baseline"
    return {
        "name": f"{file.parent.name}/{name}",
        OVERALL: data[OVERALL],
        "by_type": data.get("by_type") or {},
        "meta": data.get("meta") or {},
    }


def _fmt(value: Any) -> str:
    if value is None:
        return "–"
    if isinstance(value, int):
        return str(int(value))
    if isinstance(value, float):
        return f"{value:.4f}" if abs(value) < 100 else f"{value:.1f}"
    return str(value)


def _delta(new: Any, old: Any) -> str:
    if not isinstance(new, (int, float)) or not isinstance(old, (int, float)):
        return "–"
    diff = float(new) - float(old)
    return f"{diff:+.4f}" if abs(diff) < 100 else f"{diff:+.1f}"


def _row(label: str, group: Mapping[str, Any], keys: Sequence[str]) -> list[str]:
    return [label, _fmt(group.get("n")), *(_fmt(group.get(k)) for k in keys)]


def _table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return lines


def _types(variants: Mapping[str, Mapping[str, Any]], baseline: Mapping[str, Any] | None) -> list[str]:
    names: set[str] = set()
    for metrics in [*variants.values(), *([baseline] if baseline else [])]:
        names.update(metrics.get("by_type") or {})
    return sorted(names)


def _group(metrics: Mapping[str, Any], group: str) -> Mapping[str, Any]:
    return metrics.get(OVERALL, {}) if group == OVERALL else (metrics.get("by_type") or {}).get(group, {})


def _markdown(
    title: str,
    variants: Mapping[str, Mapping[str, Any]],
    main_variant: str,
    baseline: Mapping[str, Any] | None,
    meta: Mapping[str, Any],
    metric_keys: Sequence[str],
    references: Mapping[str, Mapping[str, Any]],
    notes: Sequence[str] = (),
) -> str:
    """report.md: the run's facts, the overall table, then per question type (main variant, then every variant)."""
    lines = _facts(title, baseline, meta, notes)
    lines += ["", "## Overall", ""]
    lines += _overall(variants, main_variant, baseline, metric_keys, references)
    types = _types(variants, baseline)
    main_types = _types({main_variant: variants[main_variant]}, baseline)
    if main_types:
        lines += ["", f"## By question type: {main_variant}", ""]
        lines += _main_by_type(variants[main_variant], baseline, main_types, metric_keys)
    if types and len(variants) > 1:
        lines += ["", "## By question type: all variants"]
        lines += _variants_by_type(variants, types, metric_keys)
    return "\n".join(lines) + "\n"


def _facts(title: str, baseline: Mapping[str, Any] | None, meta: Mapping[str, Any], notes: Sequence[str]) -> list[str]:
    """The title, the provenance lines that are known, and the caveats."""
    dataset = meta.get("dataset") or {}
    lines = [f"# {title}", ""]
    sha = str(dataset.get("sha256", "–"))[:12]
    facts = [
        ("dataset", f"{dataset.get('name', '–')} (sha256 {sha})" if dataset else None),
        ("settings hash", meta.get("settings_hash")),
        ("git commit", meta.get("git_commit")),
        ("started", meta.get("started_at")),
        ("finished", meta.get("finished_at")),
        ("baseline", baseline.get("name") if baseline else None),
    ]
    lines += [f"- {label}: `{value}`" for label, value in facts if value]
    for note in notes:
        lines += ["", f"> {note}"]
    return lines


def _overall(variants: Mapping[str, Mapping[str, Any]], main_variant: str, baseline: Mapping[str, Any] | None,
             metric_keys: Sequence[str], references: Mapping[str, Mapping[str, Any]]) -> list[str]:
    """One row per variant, then the references, then the baseline and the main variant's change from it."""
    rows = []
    for name, metrics in variants.items():
        label = f"**{name}** (main)" if name == main_variant and len(variants) > 1 else name
        rows.append(_row(label, metrics[OVERALL], metric_keys))
    rows += [_row(f"{name} (reference)", numbers, metric_keys) for name, numbers in references.items()]
    if baseline:
        new, old = variants[main_variant][OVERALL], baseline[OVERALL]
        rows.append(_row(f"baseline: {baseline.get('name', 'baseline')}", old, metric_keys))
        rows.append([f"Δ {main_variant} − baseline", "", *(_delta(new.get(k), old.get(k)) for k in metric_keys)])
    return _table(["variant", "n", *metric_keys], rows)


def _main_by_type(main: Mapping[str, Any], baseline: Mapping[str, Any] | None, types: Sequence[str],
                  metric_keys: Sequence[str]) -> list[str]:
    """The main variant per question type (and overall), each metric beside the baseline's and the change."""
    header = ["question type", "n"]
    for key in metric_keys:
        header += [key, "baseline", "Δ"] if baseline else [key]
    rows = []
    for group in [*types, OVERALL]:
        new = _group(main, group)
        old = _group(baseline, group) if baseline else {}
        row = [group, _fmt(new.get("n"))]
        for key in metric_keys:
            row.append(_fmt(new.get(key)))
            if baseline:
                row += [_fmt(old.get(key)), _delta(new.get(key), old.get(key))]
        rows.append(row)
    return _table(header, rows)


def _variants_by_type(variants: Mapping[str, Mapping[str, Any]], types: Sequence[str],
                      metric_keys: Sequence[str]) -> list[str]:
    """One table per metric: question types down, variants across."""
    lines: list[str] = []
    for key in metric_keys:
        lines += ["", f"### {key}", ""]
        rows = [[group, *(_fmt(_group(m, group).get(key)) for m in variants.values())] for group in [*types, OVERALL]]
        lines += _table(["question type", *variants], rows)
    return lines


def write_chart(
    path: Path,
    title: str,
    variants: Mapping[str, Mapping[str, Any]],
    baseline: Mapping[str, Any] | None,
    chart_keys: Sequence[str],
) -> Path:
    """Grouped bars: one panel per metric, groups = question types + overall, bars = variants
    (the baseline hatched beside them)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    series: list[tuple[str, Mapping[str, Any], bool]] = [(n, m, False) for n, m in variants.items()]
    if baseline:
        series.append((f"baseline: {baseline.get('name', 'baseline')}", baseline, True))
    groups = [*_types(variants, baseline), OVERALL]
    width = 0.8 / len(series)
    fig_width = max(6.0, 1.4 * len(groups) * max(1.0, len(series) / 2))
    fig, axes = plt.subplots(len(chart_keys), 1, figsize=(fig_width, 3.2 * len(chart_keys)), squeeze=False)
    for ax, key in zip(axes[:, 0], chart_keys):
        for index, (name, metrics, hatched) in enumerate(series):
            values = [_group(metrics, g).get(key) for g in groups]
            heights = [float(v) if isinstance(v, (int, float)) else 0.0 for v in values]
            positions = [g + (index - (len(series) - 1) / 2) * width for g in range(len(groups))]
            ax.bar(positions, heights, width, label=name, hatch="//" if hatched else None,
                   color="lightgrey" if hatched else None, edgecolor="dimgrey" if hatched else None)
        ax.set_xticks(range(len(groups)), [g.removesuffix("_query") for g in groups])
        ax.set_ylabel(key)
        ax.grid(axis="y", alpha=0.3)
    axes[0, 0].set_title(title)
    axes[0, 0].legend(fontsize="small", loc="upper left", bbox_to_anchor=(1.01, 1.0))
    fig.tight_layout()
    fig.savefig(path, dpi=100, bbox_inches="tight")
    plt.close(fig)
    return path


def write_report(
    out_dir: str | Path,
    title: str,
    variants: Mapping[str, Mapping[str, Any]],
    main_variant: str,
    baseline: Mapping[str, Any] | None,
    meta: Mapping[str, Any],
    metric_keys: Sequence[str],
    chart_keys: Sequence[str] | None = None,
    references: Mapping[str, Mapping[str, Any]] | None = None,
    notes: Sequence[str] = (),
) -> Path:
    """Write metrics.json, report.md and chart.png into ``out_dir`` and return the folder.

    ``variants`` maps a name (e.g. "bm25", "hybrid+qu") to a metrics dict; ``main_variant``'s numbers
    are also stored at the top level of metrics.json so a later run can use this one as its baseline.
    ``chart_keys`` defaults to the first two metric keys; ``references`` adds fixed rows such as
    published results; ``notes`` are caveats shown under the run's facts.
    """
    if main_variant not in variants:
        raise ValueError(f"main variant {main_variant!r} is not among {list(variants)}")
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    full_meta = {"finished_at": _now(), **meta}
    full_meta.setdefault("git_commit", git_commit())
    main = variants[main_variant]
    payload = {
        "title": title,
        "main_variant": main_variant,
        "metric_keys": list(metric_keys),
        **main,
        "variants": dict(variants),
        "baseline": dict(baseline) if baseline else None,
        "meta": full_meta,
    }
    (out / "metrics.json").write_text(json.dumps(payload, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    markdown = _markdown(title, variants, main_variant, baseline, full_meta, metric_keys, references or {}, notes)
    (out / "report.md").write_text(markdown, encoding="utf-8")
    write_chart(out / "chart.png", title, variants, baseline, list(chart_keys or metric_keys[:2]))
    return out
