"""Bank return benchmark: a return file of 100,000 lines checked and committed as the job does it,
against a bare openpyxl read of the same file.

    .venv/bin/python bench/bank_returns_bench.py --database-url postgres://postgres@127.0.0.1:5432/dzw_i15a
    .venv/bin/python bench/bank_returns_bench.py --rows 100000 --repeat 2

The batch comes from export_bench.py's loader (a synthetic approved batch loaded with COPY, reused
when there), marked 已送银行. Its first 100,000 payments (one per child and account, in the bank
file's order, with their references) are written as the bank's return workbook (.xlsx, xlsxwriter),
one in 50 a 退票 with a reason. Then, interleaved and repeated:

- **bare**: `openpyxl.load_workbook(path, read_only=True)` and every row's values, nothing else;
- **ours**: the job end to end, as the page and the command run it: `start_return` (the file kept,
  its sha256, the upload audited), `run_check` (the batch's payments written from its lines the first
  time, the file read in the return layout, every row matched by reference, the plan kept, progress on
  the job row every 5,000 rows), `confirm_return` and `run_commit` (the payments updated in chunks in
  one transaction, each 退票 audited with its child, the import audited).

Before each round of ours, the batch's payments and return jobs are deleted, so every round pays for
writing the payments too (the first return of a batch). The ratio is ours / bare, best of each.
"""

import argparse
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import export_bench as loader

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/dzw_i15a"
REASONS = ["户名不符", "账户不存在", "该账户已销户", "账户冻结"]


def write_return(batch, rows: int, path: Path) -> int:
    import xlsxwriter

    from subsidies.bank.files import sendable_payments

    workbook = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    sheet = workbook.add_worksheet("回盘")
    header = ["序号", "银行账号", "户名", "金额（元）", "业务参考号", "处理结果", "失败原因"]
    sheet.write_row(0, 0, header)
    written = 0
    for payment in sendable_payments(batch):
        if written >= rows:
            break
        written += 1
        failed = written % 50 == 0
        sheet.write_row(
            written,
            0,
            [
                payment.seq,
                payment.account,
                payment.payee_name,
                float(payment.amount),
                payment.reference,
                "失败" if failed else "成功",
                REASONS[written % len(REASONS)] if failed else "",
            ],
        )
    workbook.close()
    return written


def bare(path: Path) -> tuple[float, int]:
    import openpyxl

    started, cpu = time.perf_counter(), time.process_time()
    workbook = openpyxl.load_workbook(path, read_only=True)
    count = sum(1 for _row in workbook.worksheets[0].iter_rows(values_only=True))
    workbook.close()
    print(f"  bare CPU {time.process_time() - cpu:.1f} s")
    return time.perf_counter() - started, count


def reset(batch) -> None:
    from subsidies.models import BankPayment, BankReturnJob

    BankPayment.objects.filter(batch=batch).update(return_job=None)
    BankReturnJob.objects.filter(batch=batch).delete()
    BankPayment.objects.filter(batch=batch).delete()


def ours(batch, path: Path, user) -> tuple[float, float, object]:
    from django.core.files import File
    from django.db import transaction

    from subsidies.bank import returns
    from subsidies.models import BankReturnJob, BankReturnLayout

    reset(batch)
    layout = BankReturnLayout.objects.get(code="generic")
    started, cpu = time.perf_counter(), time.process_time()
    with path.open("rb") as handle, transaction.atomic():
        job = returns.start_return(
            batch=batch, layout=layout, upload=File(handle, name=path.name), actor=user, queue=False
        )
    returns.run_check(job_id=job.pk)
    checked = time.perf_counter()
    job = BankReturnJob.objects.get(pk=job.pk)
    assert job.status == BankReturnJob.Status.READY, job.errors or job.error
    returns.confirm_return(job=job, actor=user, queue=False)
    returns.run_commit(job_id=job.pk)
    done = time.perf_counter()
    print(f"  ours CPU {time.process_time() - cpu:.1f} s (this process; the database's work apart)")
    job = BankReturnJob.objects.get(pk=job.pk)
    assert job.status == BankReturnJob.Status.DONE, job.errors or job.error
    return done - started, checked - started, job


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=100_000, help="lines of the return file")
    parser.add_argument("--lines", type=int, default=130_000, help="lines of the batch (about 0.77 payments a line)")
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--database-url", default=os.environ.get("BENCH_RETURNS_DATABASE_URL", DEFAULT_DATABASE_URL))
    parser.add_argument("--reset", action="store_true", help="drop and recreate the bench database first")
    args = parser.parse_args()
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    loader.ensure_database(args.database_url, args.reset)
    loader.setup_django(args.database_url)
    from django.contrib.auth import get_user_model
    from django.core.management import call_command

    from subsidies.models import Batch

    call_command("migrate", verbosity=0)
    batch = loader.load_batch(args.lines)
    Batch.objects.filter(pk=batch.pk).update(status=Batch.Status.SENT_TO_BANK)
    batch.refresh_from_db()
    user = get_user_model().objects.get(username=loader.STAFF_USERNAME)
    loader.OUT_DIR.mkdir(parents=True, exist_ok=True)
    path = loader.OUT_DIR / f"return-{args.rows}.xlsx"
    rows = write_return(batch, args.rows, path)
    print(f"return file: {rows:,} lines, {path.stat().st_size / 2**20:.1f} MB ({batch.line_count:,}-line batch)")
    bare_times, our_times = [], []
    for round_no in range(1, args.repeat + 1):
        seconds, count = bare(path)
        bare_times.append(seconds)
        print(f"round {round_no}: bare openpyxl read {seconds:6.1f} s ({count:,} rows)")
        seconds, check, job = ours(batch, path, user)
        our_times.append(seconds)
        print(
            f"round {round_no}: ours (check + commit)  {seconds:6.1f} s"
            f" (check {check:.1f} s, commit {seconds - check:.1f} s;"
            f" {job.to_paid:,} 已发放, {job.to_returned:,} 退票, {job.unconfirmed:,} 仍待确认)"
        )
    best_bare, best_ours = min(bare_times), min(our_times)
    print(f"best: bare {best_bare:.1f} s, ours {best_ours:.1f} s, ratio {best_ours / best_bare:.2f}x (target < 5x)")


if __name__ == "__main__":
    main()
