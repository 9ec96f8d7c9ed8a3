"""axe-core (vendored under vendor/, MPL-2.0) run inside a Playwright page: its serious and critical findings."""

from pathlib import Path

AXE = Path(__file__).resolve().parent / "vendor" / "axe.min.js"
BLOCKING = ("serious", "critical")


def axe_violations(page) -> list[dict]:
    """The page's serious and critical axe violations, each with its rule, help and offending elements.

    The page must come from a context with bypass_csp=True (the axe_page fixture): axe goes in as an
    inline script, which the app's script-src 'self' refuses.
    """
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE))
    results = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return [
        {
            "rule": v["id"],
            "impact": v["impact"],
            "help": v["help"],
            "nodes": [f"{' '.join(n['target'])} :: {n['failureSummary'][:200]}" for n in v["nodes"][:5]],
        }
        for v in results["violations"]
        if v["impact"] in BLOCKING
    ]


def describe(found: dict[str, list[dict]]) -> str:
    """The violations by page, readable in a failed assertion."""
    lines = []
    for address, violations in found.items():
        for v in violations:
            lines.append(f"{address}: [{v['impact']}] {v['rule']} - {v['help']}")
            lines.extend(f"    {node}" for node in v["nodes"])
    return "\n".join(lines)
