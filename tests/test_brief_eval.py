"""The briefing eval: report files, per-item records that let any score be recomputed, lead-3 baseline."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import make_settings

from assistant.brief.writer import lead_sentences
from assistant.evals.brief_eval import _scorer, rouge, run_brief_eval

ARTICLE = ("Gary Locke will be confirmed as Kilmarnock's permanent manager on Friday. An announcement will be made "
           "by the club on Friday morning, with the former Hearts boss being given a three-year deal. The 39-year-old "
           "paid tribute to the players. Kilmarnock went unbeaten in Locke's first six games in charge. "
           "'I'd be over the moon to get it,' said Locke. The club are eighth in the Premiership.")


def test_rouge_and_lead3() -> None:
    scorer = _scorer()
    assert rouge(scorer, "The cat sat.", "The cat sat.")["ROUGE-1"] == pytest.approx(1.0)
    assert rouge(scorer, "The cat sat.", "Dogs bark loudly.")["ROUGE-2"] == 0.0
    assert lead_sentences("One is here. Two is here. Three is here. Four is here.") == \
        "One is here. Two is here. Three is here."


@pytest.mark.slow
def test_run_brief_eval_writes_report_and_items(tmp_path: Path) -> None:
    data = tmp_path / "set.jsonl"
    rows = [
        {"id": "one", "article": ARTICLE, "summary": "Gary Locke will be confirmed as Kilmarnock boss on Friday.",
         "url": "https://www.dailymail.co.uk/sport/x.html"},
        {"id": "two", "documents": [ARTICLE, "Kilmarnock host Motherwell on Saturday. Locke hopes his contract is "
                                             "sorted before the home game against Motherwell this weekend."],
         "reference": "Locke gets a three-year deal."},
    ]
    data.write_text("\n".join(json.dumps(r) for r in rows) + "\n")
    settings = make_settings(tmp_path / "unused", **{"llm.spec": "none"})
    out = run_brief_eval(settings, data, tmp_path / "run", progress=False)
    assert {p.name for p in out.iterdir()} >= {"report.md", "metrics.json", "chart.png", "items.jsonl"}
    metrics = json.loads((out / "metrics.json").read_text())
    assert metrics["overall"]["n"] == 2 and metrics["overall"]["citation_coverage"] == 1.0
    assert set(metrics["variants"]) == {"note (none)", "lead-3 (same run)", "note's bottom line alone"}
    assert metrics["meta"]["dataset"]["sha256"]
    items = [json.loads(line) for line in (out / "items.jsonl").read_text().splitlines()]
    assert [i["id"] for i in items] == ["one", "two"]
    scorer = _scorer()
    for item in items:
        assert {"id", "note", "baseline", "reference"} <= set(item) and item["note"]
        assert rouge(scorer, item["reference"], item["note"]) == {k: item["scores"]["note"][k]
                                                                  for k in ("ROUGE-1", "ROUGE-2", "ROUGE-L")}
        assert rouge(scorer, item["reference"], item["baseline"])["ROUGE-1"] == item["scores"]["baseline"]["ROUGE-1"]
    report = (out / "report.md").read_text()
    assert "lead-3 (same run)" in report and "## Targets" in report and "## Split check" in report
    assert "dailymail.co.uk" in report  # items are grouped by outlet


def test_multi_article_items_get_leads_in_turn_and_their_own_group() -> None:
    from assistant.brief.writer import leads_in_turn
    from assistant.evals.brief_eval import _group

    docs = ["Alpha one happened here. Alpha two followed it.", "Beta one happened there. Beta two came next."]
    assert leads_in_turn(docs, 8) == "Alpha one happened here. Beta one happened there."
    assert leads_in_turn(docs, 100).split(". ")[2] == "Alpha two followed it"
    assert _group({"documents": docs, "extra": {}}) == "clusters of 2 articles"
    assert _group({"documents": docs[:1], "extra": {"url": "https://www.cnn.com/x"}}) == "cnn.com"


@pytest.mark.slow
def test_a_cluster_item_is_scored_its_note_grows_with_its_sources_and_every_bullet_is_verified(tmp_path: Path) -> None:
    """Items with several ``documents`` (a story cluster): ROUGE and the share of verified bullets are
    reported for them under their own group, and the note is longer than a one-article note on the same story."""
    crash = ["A passenger bus plunged into a ravine near the mountain town of Orvenna on Tuesday, killing 12 people, "
             "regional police said. The bus was carrying pilgrims from Marisse to a shrine in the highlands. Rescue "
             "teams worked through the night to reach the wreck beside the river.",
             "The regional governor declared three days of mourning on Wednesday after the Orvenna bus crash. He "
             "promised an inquiry into the state of the mountain road, which locals say has been neglected for years.",
             "Survivors of the Orvenna bus crash described a sudden skid on the wet road before the bus left the bend. "
             "Doctors at the regional hospital said nine passengers remain in a serious condition."]
    reference = "A bus crash near Orvenna killed 12 pilgrims. The governor declared mourning and promised an inquiry."
    data = tmp_path / "clusters.jsonl"
    rows = [{"id": "single", "documents": crash[:1], "reference": reference},
            {"id": "cluster", "documents": crash, "reference": reference}]
    data.write_text("\n".join(json.dumps(r) for r in rows) + "\n")
    settings = make_settings(tmp_path / "unused", **{"llm.spec": "none"})
    out = run_brief_eval(settings, data, tmp_path / "run", progress=False)
    metrics = json.loads((out / "metrics.json").read_text())
    group = metrics["by_type"]["clusters of 3 articles"]
    assert group["n"] == 1 and group["citation_coverage"] == 1.0 and group["ROUGE-1"] > 0
    items = {i["id"]: i for i in map(json.loads, (out / "items.jsonl").read_text().splitlines())}
    assert len(items["cluster"]["note"].split()) > len(items["single"]["note"].split())
    assert items["cluster"]["verified_bullets"] == items["cluster"]["bullets"] > 0
    assert "Orvenna" in items["cluster"]["baseline"]  # the articles' leads in turn, as long as the note
