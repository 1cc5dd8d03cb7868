"""Every date the plugins show comes from the site's clock: no domain module reads the machine's time."""
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent / "mock_server"
# The mock's own bookkeeping (delivery schedules, the journal, the site registry) keeps machine time.
BOOKKEEPING = {"clock.py", "journal.py", "sites.py", "faults.py", "webhooks/deliverer.py", "webhooks/outbox.py",
               "store.py", "cache.py"}
MACHINE_TIME = re.compile(r"datetime\.(now|utcnow|today)\(|date\.today\(|time\.time\(|\"-\d+[ydM]\"")


def test_no_domain_module_reads_the_machine_clock():
    offenders = {}
    for path in ROOT.rglob("*.py"):
        name = str(path.relative_to(ROOT))
        if name in BOOKKEEPING:
            continue
        hits = [n for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if MACHINE_TIME.search(line)]
        if hits:
            offenders[name] = hits
    assert not offenders, offenders
