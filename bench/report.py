"""The benchmark's figures as Markdown, for the terminal and the README."""


def load_line(row: dict) -> str:
    return (
        f"  {row['name']:<24} {row['clients']:>3} clients {row['mode']:<9}: "
        f"{row['rps']:>7.1f} req/s "
        f"p50 {row['p50_ms']:.1f} ms p99 {row['p99_ms']:.1f} ms "
        f"({row['rps_vs_floor']:.0%} of floor) errors {row['errors']}"
        + (f" VIOLATIONS {row['violations']}" if row["violations"] else "")
    )


def _table(header: list[str], rows: list[list]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(str(cell) for cell in row) + " |" for row in rows]
    return lines


def markdown(results: dict) -> str:
    machine = results["machine"]
    out = [
        f"Run {machine['date']} on {machine['cpus']} CPUs ({machine['cpu']}), "
        f"{machine['memory_gib']} GiB, Python {machine['python']}, PostgreSQL "
        f"{machine['postgresql'] // 10000}; gunicorn {results['workers']} workers × "
        f"{results['threads']} threads; load from the same machine.",
        "",
        "**Query counts** (rows of the kind the page reads: 10 / 1,000 / 100,000)",
        "",
    ]
    out += _table(
        ["page or action", "rows of", "10", "1,000", "100,000", "grows"],
        [
            [
                row["page"],
                row["kind"],
                *row["queries"].values(),
                "**yes**" if row["grows"] else "no",
            ]
            for row in results["queries"]
        ],
    )
    out += [
        "",
        "**Latency and throughput** (ratios to the floor endpoint at the same concurrency)",
        "",
    ]
    out += _table(
        [
            "action",
            "clients",
            "mode",
            "req/s",
            "p50 ms",
            "p95 ms",
            "p99 ms",
            "errors",
            "5xx",
            "req/s vs floor",
            "p50 vs floor",
            "invariants",
        ],
        [
            [
                row["name"],
                row["clients"],
                row["mode"],
                row["rps"],
                row["p50_ms"],
                row["p95_ms"],
                row["p99_ms"],
                row["errors"],
                row["server_errors"],
                f"{row['rps_vs_floor']:.0%}",
                f"{row['p50_vs_floor']:.1f}×",
                "ok" if not row["violations"] else f"**{row['violations']}**",
            ]
            for row in results["load"]
            if row.get("floor", "floor") == "floor"
        ],
    )
    out += _reading(results) + _cpu(results)
    out += ["", "**The bar**", ""]
    out += _table(
        ["check", "value", "passed"],
        [[c["check"], c["value"], "yes" if c["passed"] else "**no**"] for c in results["bar"]],
    )
    out += [
        "",
        "**Memory**: peak resident memory per gunicorn worker after the load: "
        + ", ".join(f"{mib:.0f} MiB" for mib in results["worker_peak_rss_mib"]),
    ]
    scale = results.get("scale")
    if scale:
        out += [
            "",
            f"**Scale** ({scale['users']:,} users; {scale['rows_at_large']:,} sessions, the last "
            f"999,000 written in {scale['seconds_to_load_other_999k']} s): p50 of one user's pages "
            "when the table holds 1,000 and 1,000,000 sessions",
            "",
        ]
        out += _table(
            ["page", "p50 at 1k (ms)", "p50 at 1M (ms)", "ratio", "within 2×"],
            [
                [
                    name,
                    scale["at_1k"][name]["p50_ms"],
                    scale["at_1m"][name]["p50_ms"],
                    ratio,
                    "yes" if ratio <= 2 else "**no**",
                ]
                for name, ratio in scale["p50_ratio_1m_to_1k"].items()
            ],
        )
        seq = [plan for plan in scale["plans"] if plan["sequential_scan_of_sessions"]]
        out += [
            "",
            f"Query plans at 1M rows: {len(scale['plans'])} queries read the sessions table, "
            f"{len(scale['plans']) - len(seq)} through an index, {len(seq)} by sequential scan "
            "(the plans are in the JSON).",
        ]
    return "\n".join(out) + "\n"


def _reading(results: dict) -> list[str]:
    """The reading rows beside the read floor, and the sessions API's cost per row."""
    rows = [row for row in results["load"] if row.get("floor") == "read floor"]
    out = []
    if rows:
        out += [
            "",
            "**Reading** (each user's week of 1,000 sessions, and for switch + week read its "
            "current week; ratios to the read floor at the same concurrency)",
            "",
        ]
        out += _table(
            [
                "action",
                "clients",
                "mode",
                "req/s",
                "switches/s",
                "p50 ms",
                "week read p50 ms",
                "p99 ms",
                "errors",
                "5xx",
                "req/s vs read floor",
                "p50 vs read floor",
                "invariants",
            ],
            [
                [
                    row["name"],
                    row["clients"],
                    row["mode"],
                    row["rps"],
                    row.get("by_label", {}).get("switch", {}).get("rps", "–"),
                    row["p50_ms"],
                    row.get("by_label", {}).get("week read", {}).get("p50_ms", "–"),
                    row["p99_ms"],
                    row["errors"],
                    row["server_errors"],
                    f"{row['rps_vs_floor']:.0%}",
                    f"{row['p50_vs_floor']:.1f}×",
                    "ok" if not row["violations"] else f"**{row['violations']}**",
                ]
                for row in rows
            ],
        )
    per_row = results.get("per_row")
    if per_row:
        out += [
            "",
            "**The sessions API per row** (in-process, whole request, median; weeks of 10 to "
            "10,000 sessions; µs per row beyond the 10 row week's time)",
            "",
        ]
        out += _table(
            ["rows", "API ms", "read floor ms", "API µs per row", "read floor µs per row"],
            [
                [
                    f"{size['rows']:,}",
                    size["api_ms"],
                    size["floor_ms"],
                    size.get("api_us_per_row", "–"),
                    size.get("floor_us_per_row", "–"),
                ]
                for size in per_row["sizes"]
            ],
        )
    return out


def _cpu(results: dict) -> list[str]:
    """Each action's CPU per request at 10 saturated clients, by party."""
    out = []
    spent = [row for row in results["load"] if row.get("cpu_ms_per_request")]
    if spent:
        out += [
            "",
            "**CPU per request** (ms, read from /proc around each saturated run at 10 clients: "
            "the load generator, the app's gunicorn processes, PostgreSQL's; the three share "
            "the machine's CPUs)",
            "",
        ]
        out += _table(
            ["action", "load generator", "app", "database", "in all", "req/s"],
            [
                [
                    row["name"],
                    *row["cpu_ms_per_request"].values(),
                    round(sum(row["cpu_ms_per_request"].values()), 2),
                    row["rps"],
                ]
                for row in spent
                if row["mode"] == "saturated" and row["clients"] == 10
            ],
        )
    return out
