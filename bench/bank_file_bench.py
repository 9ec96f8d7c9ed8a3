"""Bank payment file benchmark: peak memory and time of `subsidies.bank.run_bank_file_job` for N lines.

    .venv/bin/python bench/bank_file_bench.py                          # 100,000 lines
    .venv/bin/python bench/bank_file_bench.py --lines 1000000          # 1,000,000 lines
    .venv/bin/python bench/bank_file_bench.py --database-url postgres://postgres@127.0.0.1:5432/dzw_ops

The batch comes from export_bench.py's loader (the same synthetic approved batch of N lines, loaded
with COPY into its own database, reused when there). Each layout's file is made in a child process of
its own, the job's real code path (claim, stream the lines with a server-side cursor, net them per
child and account, write, sha256, audit, 已送银行), which reports its wall and CPU time, its peak RSS
(VmHWM: this process only) and its RSS every 0.2 s, so growth with the lines shows. The file is
made twice per layout and both checksums must agree (the same bytes).

Layouts: `generic` (xlsx, xlsxwriter constant_memory, a total line last) and `rcb-fixed` (fixed-width
GBK text, a total line first, so the lines are read twice).
"""

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import export_bench as loader

LAYOUTS = ("generic", "rcb-fixed")


def run_job(batch_id: int, layout_code: str) -> dict:
    from django.contrib.auth import get_user_model

    from subsidies.bank import run_bank_file_job, start_bank_file
    from subsidies.models import BankFileJob, BankLayout, Batch

    batch = Batch.objects.get(pk=batch_id)
    user = get_user_model().objects.get(username=loader.STAFF_USERNAME)
    layout = BankLayout.objects.get(code=layout_code)
    job = start_bank_file(batch=batch, layout=layout, actor=user, queue=False)
    run_bank_file_job(job_id=job.pk)
    job = BankFileJob.objects.get(pk=job.pk)
    assert job.status == BankFileJob.Status.DONE, job.error
    return {"rows": job.row_count, "left_out": job.left_out_count, "sha256": job.sha256, "file": job.file.path}


def child_main(args) -> None:
    sampler = loader.RssSampler()
    started = time.perf_counter()
    loader.setup_django(args.database_url)
    result = run_job(args.batch_id, args.layout)
    seconds = time.perf_counter() - started
    samples = sampler.finish()
    usage = resource.getrusage(resource.RUSAGE_SELF)
    result.update(seconds=seconds, cpu=usage.ru_utime + usage.ru_stime, peak_mb=loader.peak_rss_mb(), samples=samples)
    print(json.dumps(result))


def measure(args, batch_id: int, layout: str) -> dict:
    command = [sys.executable, __file__, "--run", "--batch-id", str(batch_id), "--layout", layout]
    command += ["--database-url", args.database_url]
    done = subprocess.run(command, capture_output=True, text=True, check=False, env={**os.environ})
    if done.returncode:
        sys.exit(f"{layout} failed:\n{done.stderr}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--lines", type=int, default=100_000)
    parser.add_argument(
        "--database-url", default=os.environ.get("BENCH_EXPORT_DATABASE_URL", loader.DEFAULT_DATABASE_URL)
    )
    parser.add_argument("--reset", action="store_true")
    parser.add_argument("--layouts", nargs="+", default=list(LAYOUTS), help="layout codes (default: both)")
    parser.add_argument("--once", action="store_true", help="make each file once (no regeneration check)")
    parser.add_argument("--run", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--batch-id", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--layout", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.run:
        child_main(args)
        return
    loader.OUT_DIR.mkdir(parents=True, exist_ok=True)
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    loader.ensure_database(args.database_url, args.reset)
    loader.setup_django(args.database_url)
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    batch = loader.load_batch(args.lines)
    for layout in args.layouts:
        first = measure(args, batch.pk, layout)
        if not args.once:
            again = measure(args, batch.pk, layout)
            assert first["sha256"] == again["sha256"], "the same batch and layout gave different bytes"
        size = Path(first["file"]).stat().st_size / 2**20
        print(
            f"{layout:>9}: {batch.line_count:>9,} lines -> {first['rows']:,} payments ({first['left_out']} left out)"
            f"  {first['seconds']:6.1f} s (cpu {first['cpu']:5.1f} s)  peak RSS {first['peak_mb']:4.0f} MB"
            f"  RSS at 1/4, 1/2, 3/4, end: {loader.growth(first['samples'])} MB  file {size:.1f} MB"
            + ("" if args.once else "  regenerated: same sha256")
        )


if __name__ == "__main__":
    main()
