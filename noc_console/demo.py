"""Demo and large data generator: a believable Service Portal database, fast.

Why it exists: the console is judged on realistic data (accents in names,
valid CNPJs, locked users, half-filled escalation chains, contracts about to
end) and its performance is judged on big data (100,000 customers, a million
portal users). One generator serves both, deterministic for a given seed so a
screenshot, a test or a benchmark can be reproduced.

Why it looks the way it does:

* Rows are written with SQLAlchemy Core ``executemany`` in blocks of customers,
  one transaction per block, with explicit ids (children know their parents'
  ids without a round trip; PostgreSQL sequences are moved past them at the
  end). The ORM's per-object bookkeeping would dominate at this size.
* Core inserts bypass the ORM events that fill the folded search columns, so
  the generator calls the models' ``*_search_values`` helpers itself.
* On SQLite the FTS5 trigram tables are normally kept in step row by row by
  triggers; during the load those triggers are dropped and each FTS table is
  rebuilt once at the end, which is much cheaper. The triggers are recreated
  from the same DDL the migration uses, so ``migrate.differences`` stays empty.
* Password hashing is deliberately slow (argon2id), so only a small pool of
  random passwords is hashed and the PHC strings are reused. Nobody knows those
  passwords: a demo portal user gets in only through the console's assisted
  reset, which is exactly what the demo is for.
* The operators are created through ``services.operators.create_operator`` so
  the demo logins follow the same rules as real ones.
* The audit history uses the actions and detail shapes the services record,
  so the audit screen shows demo rows like real ones. The 'demo_seeded' event
  is written last, through ``services.audit.record``: its presence means "a
  complete demo database" (the CLI shows the demo passwords only then).
* ``force`` wipes a SQLite database in place, atomically (``_wipe_sqlite``);
  on PostgreSQL it is refused: dropping a server database is the DBA's call.

Progress stages reported: "operators", "customers", "audit" and, on SQLite,
"indexes" (secondary indexes rebuilt after the load) and "search index" (the
FTS rebuild).
"""

from __future__ import annotations

import hashlib
import random
import secrets
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from itertools import accumulate, islice
from typing import Any

from sqlalchemy import Connection, Engine, Table, bindparam, func, insert, select, text, update
from sqlalchemy.orm import Session

from noc_console.clock import Clock, FixedClock, SystemClock
from noc_console.migrations import search_objects
from noc_console.models import (
    Base,
    Customer,
    Operator,
    contact_search_values,
    customer_search_values,
    portal_user_search_values,
)
from noc_console.services import audit
from noc_console.services.demo_marker import DEMO_SEEDED_ACTION
from noc_console.services.hashing import Hasher
from noc_console.services.operators import create_operator
from noc_console.text import fold

Progress = Callable[[str, int, int], None]

DEMO_OPERATORS: tuple[tuple[str, str, str, str], ...] = (
    ("ana.analista", "Ana Analista", "analyst", "analista-demo-2026"),
    ("otto.operador", "Otto Operador", "operator", "operador-demo-2026"),
    ("sara.supervisora", "Sara Supervisora", "supervisor", "supervisora-demo-2026"),
)

DEMO_UPDATED_BY = "demo"

# The heavy customer is found by benchmarks through this name.
HEAVY_CUSTOMER_LEGAL_NAME = "Rede Nacional de Supermercados Preço Bom S.A."
HEAVY_CUSTOMER_TRADE_NAME = "Supermercados Preço Bom"

# Rows per transaction, roughly: big enough to amortise the commit, small enough
# to keep memory flat and the progress bar moving.
ROWS_PER_BLOCK = 20_000
CONTRACT_CHUNK = 20_000
PASSWORD_POOL_SIZE = 8
SQLITE_LOAD_CACHE_KIB = 262_144  # 256 MiB page cache while loading; restored afterwards
# The tables the customer blocks fill; on SQLite their secondary indexes are
# dropped during the load and rebuilt after it (see _bulk_load_mode).
BULK_TABLES = (
    "customers",
    "portal_users",
    "portal_sessions",
    "escalation_chains",
    "escalation_contacts",
    "contracts",
)

# São Paulo has had no daylight saving time since 2019: a fixed offset is exact.
BRT = timedelta(hours=-3)


@dataclass(frozen=True)
class DemoOptions:
    """What to generate; the defaults make the embedded demo database (~0.5 s)."""

    customers: int = 120
    users_per_customer: int = 6
    contracts_per_customer: int = 10
    seed: int = 42
    heavy_customer_contracts: int = 0  # one extra customer with this many contracts
    audit_days: int = 21
    force: bool = False  # SQLite only: wipe the database and reseed


@dataclass(frozen=True)
class DemoReport:
    """What was written, for the CLI summary; ``operators`` carries the demo passwords."""

    customers: int
    portal_users: int
    contracts: int
    escalation_chains: int
    escalation_contacts: int
    audit_events: int
    operators: tuple[tuple[str, str, str], ...]  # (username, role, password)
    seconds: float


class DatabaseNotEmpty(Exception):
    """The target already holds data; seeding would mix demo rows with real ones."""


# --------------------------------------------------------------------------- vocabulary

# (city, area code, IANA time zone, weight): weights keep São Paulo's zone dominant.
_REGIONS: tuple[tuple[str, str, str, int], ...] = (
    ("São Paulo", "11", "America/Sao_Paulo", 30),
    ("Campinas", "19", "America/Sao_Paulo", 6),
    ("Rio de Janeiro", "21", "America/Sao_Paulo", 12),
    ("Belo Horizonte", "31", "America/Sao_Paulo", 8),
    ("Curitiba", "41", "America/Sao_Paulo", 6),
    ("Porto Alegre", "51", "America/Sao_Paulo", 6),
    ("Florianópolis", "48", "America/Sao_Paulo", 3),
    ("Brasília", "61", "America/Sao_Paulo", 5),
    ("Goiânia", "62", "America/Sao_Paulo", 3),
    ("Vitória", "27", "America/Sao_Paulo", 3),
    ("Ribeirão Preto", "16", "America/Sao_Paulo", 2),
    ("Londrina", "43", "America/Sao_Paulo", 2),
    ("Joinville", "47", "America/Sao_Paulo", 2),
    ("Salvador", "71", "America/Bahia", 3),
    ("Recife", "81", "America/Recife", 3),
    ("Fortaleza", "85", "America/Fortaleza", 3),
    ("Belém", "91", "America/Belem", 1),
    ("Manaus", "92", "America/Manaus", 2),
    ("Cuiabá", "65", "America/Cuiaba", 1),
    ("Campo Grande", "67", "America/Campo_Grande", 1),
    ("Porto Velho", "69", "America/Porto_Velho", 1),
    ("Rio Branco", "68", "America/Rio_Branco", 1),
)

# (words used in the legal name, word used in the trade name)
_SECTORS: tuple[tuple[str, str], ...] = (
    ("Padaria", "Padaria"),
    ("Padaria e Confeitaria", "Padaria"),
    ("Comércio de Peças", "Peças"),
    ("Transportadora", "Transportes"),
    ("Distribuidora de Alimentos", "Distribuidora"),
    ("Clínica Médica", "Clínica"),
    ("Farmácia e Drogaria", "Drogaria"),
    ("Supermercados", "Supermercado"),
    ("Construtora", "Construtora"),
    ("Indústria Metalúrgica", "Metalúrgica"),
    ("Hospital e Maternidade", "Hospital"),
    ("Colégio", "Colégio"),
    ("Escritório Contábil", "Contabilidade"),
    ("Agropecuária", "Agro"),
    ("Auto Posto", "Posto"),
    ("Laboratório de Análises Clínicas", "Laboratório"),
    ("Hotel e Turismo", "Hotel"),
    ("Frigorífico", "Frigorífico"),
    ("Cooperativa de Crédito", "Cooperativa"),
    ("Tecnologia e Sistemas", "Tecnologia"),
    ("Comércio de Materiais de Construção", "Materiais"),
    ("Indústria Têxtil", "Têxtil"),
    ("Logística e Armazéns Gerais", "Logística"),
    ("Engenharia Elétrica", "Engenharia"),
    ("Atacadista", "Atacadão"),
)

_CORES: tuple[str, ...] = (
    "São João", "Santa Luzia", "Boa Vista", "Açaí", "Ipê Amarelo", "Jequitibá", "Araucária",
    "Paraíso", "Horizonte", "Três Irmãos", "Irmãos Araújo", "Guimarães", "Conceição",
    "Itajubá", "Maracanã", "Tropical", "Caiçara", "Sertão", "Pantanal", "Cerrado",
    "Mantiqueira", "Ribeirão", "Aurora", "Estrela do Sul", "Cristal", "Pioneira",
    "Sol Nascente", "Bom Jesus", "Nossa Senhora Aparecida", "Itapuã", "Juruá", "Tocantins",
    "Iguaçu", "Capibaribe", "Pitanga", "Jabuticaba", "Guaraná", "Carnaúba", "Sabiá",
    "Beija-Flor", "Tucano", "Gaúcha", "Mineira", "Paulista", "Nordestina", "Amazônia",
    "Atlântico", "Planalto", "Vale Verde", "Monte Sião", "Santa Cecília", "São Cristóvão",
    "São Bento", "Santo Antônio", "São Francisco", "Dom Pedro", "Imperatriz", "Lua Nova",
    "Pôr do Sol", "Maringá",
)  # fmt: skip

_LEGAL_SUFFIXES: tuple[str, ...] = ("Ltda", "Ltda", "Ltda", "Ltda", "S.A.", "Ltda. ME", "EPP")
_TLDS: tuple[str, ...] = (".com.br",) * 8 + (".net.br", ".ind.br", ".com")

# Given names by gender, so a second given name agrees with the first ("Ana Luíza").
_FEMALE_NAMES: tuple[str, ...] = (
    "Ana", "Maria", "Lúcia", "Márcia", "Flávia", "Cláudia", "Letícia", "Patrícia", "Mônica",
    "Érica", "Júlia", "Beatriz", "Camila", "Fernanda", "Juliana", "Aline", "Bruna", "Larissa",
    "Renata", "Simone", "Sônia", "Inês", "Helena", "Cecília", "Valéria", "Vitória", "Iara",
    "Taís", "Jéssica", "Ângela", "Célia", "Débora", "Natália", "Priscila", "Cristiane", "Marta",
    "Glória", "Tânia", "Conceição", "Luíza",
)  # fmt: skip
_MALE_NAMES: tuple[str, ...] = (
    "João", "José", "Antônio", "Francisco", "Luís", "Sérgio", "Fábio", "Vinícius", "Caio",
    "Rafael", "Gabriel", "Thiago", "Lucas", "Mateus", "Pedro", "Paulo", "Rodrigo", "Marcelo",
    "Raimundo", "Sebastião", "Joaquim", "Otávio", "Luan", "André", "Gustavo", "Leandro",
    "Rogério", "Wellington", "Benedito", "Régis", "Ítalo", "Cauã",
)  # fmt: skip
_FEMALE_SECOND: tuple[str, ...] = (
    "Luíza", "Clara", "Gabriela", "Helena", "Cristina", "Fernanda", "Beatriz", "Aparecida",
    "Carolina", "Vitória",
)  # fmt: skip
_MALE_SECOND: tuple[str, ...] = (
    "Pedro", "Carlos", "Eduardo", "Vítor", "Henrique", "Antônio", "Augusto", "Luís", "Gabriel",
    "Miguel",
)  # fmt: skip
_SURNAMES: tuple[str, ...] = (
    "Silva", "Santos", "Oliveira", "Souza", "Rodrigues", "Ferreira", "Alves", "Pereira",
    "Lima", "Gomes", "Costa", "Ribeiro", "Martins", "Carvalho", "Araújo", "Melo", "Barbosa",
    "Cardoso", "Rocha", "Dias", "Nascimento", "Andrade", "Moreira", "Nunes", "Marques",
    "Machado", "Mendes", "Freitas", "Cavalcanti", "Monteiro", "Teixeira", "Correia", "Vieira",
    "Gonçalves", "Conceição", "Magalhães", "Brandão", "Simões", "Falcão", "Assunção",
    "Guimarães", "Lopes", "Peixoto", "Sá", "Damasceno", "Bragança", "Leão", "Antunes",
    "Calixto", "Câmara", "Fontes", "Queiroz", "Paixão", "Aragão", "Romão", "Estêvão",
    "Mourão", "Quintão", "Loureiro", "Batista",
)  # fmt: skip
# Surnames that usually carry their particle ("Maria da Silva", "João dos Santos").
_PARTICLE_SURNAMES: tuple[str, ...] = (
    "da Silva", "dos Santos", "de Oliveira", "de Souza", "da Costa", "do Nascimento",
    "da Conceição", "de Araújo", "de Freitas", "da Rocha", "de Melo", "dos Reis", "da Cunha",
    "de Lima", "de Jesus", "do Carmo",
)  # fmt: skip

_CONTACT_ROLES: tuple[str | None, ...] = (
    "Gerente de TI",
    "Coordenador de Infraestrutura",
    "Coordenadora de Tecnologia",
    "Analista de Redes",
    "Diretor de Operações",
    "Supervisora de Suporte",
    "Sócio-Diretor",
    "Técnico de Plantão",
    "Gerente Administrativa",
    None,
)
_LEVEL2_DELAYS = (10, 15, 15, 20, 30, 30, 45, 60)
_LEVEL3_DELAYS = (15, 30, 30, 60, 60, 90, 120, 240)

# (service, lowest and highest monthly value in whole units, currency, weight)
_SERVICES: tuple[tuple[str, int, int, str, int], ...] = (
    ("Link Dedicado 100 Mbps", 900, 2_500, "BRL", 14),
    ("Link Dedicado 500 Mbps", 2_800, 6_500, "BRL", 10),
    ("Link Dedicado 1 Gbps", 5_500, 12_000, "BRL", 6),
    ("Internet Empresarial 300 Mbps", 199, 499, "BRL", 10),
    ("SD-WAN Gerenciado", 1_500, 9_000, "BRL", 6),
    ("MPLS 50 Mbps", 1_200, 3_800, "BRL", 6),
    ("Lan-to-Lan 200 Mbps", 1_800, 5_200, "BRL", 4),
    ("Colocation 4U", 900, 2_400, "BRL", 3),
    ("Colocation Rack 42U", 7_000, 18_000, "BRL", 2),
    ("Firewall Gerenciado", 800, 4_500, "BRL", 6),
    ("Proteção Anti-DDoS", 1_500, 8_000, "BRL", 3),
    ("Backup em Nuvem 2 TB", 350, 1_500, "BRL", 4),
    ("Telefonia IP 30 Ramais", 450, 1_800, "BRL", 5),
    ("Wi-Fi Gerenciado", 600, 3_500, "BRL", 4),
    ("Cloud Privada 16 vCPU", 2_500, 9_000, "BRL", 3),
    ("Trânsito IP Internacional 1 Gbps", 800, 3_000, "USD", 2),
)
_CENTS = (0, 0, 0, 0, 50, 90, 99)

_RESET_REASONS = (
    "Cliente ligou: esqueceu a senha do portal",
    "Usuário bloqueado após tentativas de acesso",
    "Novo preposto precisa de acesso ao portal",
    "Senha expirada; cliente sem acesso ao e-mail cadastrado",
    "Preposto trocou de celular e perdeu o gerenciador de senhas",
)
_UNLOCK_REASONS = (
    "Conta bloqueada por tentativas; identidade confirmada por retorno de ligação",
    "Cliente digitou a senha antiga várias vezes após a troca",
)
_ESCALATION_REASONS = (
    "Cliente informou troca do contato de nível 2",
    "Atualização do tempo de escalonamento a pedido do cliente",
    "Contato de nível 1 saiu da empresa",
    "Inclusão do nível 3 conforme chamado do cliente",
    "Correção do telefone do plantão",
)


def _weighted(items: Sequence[Any], weights: Sequence[int]) -> tuple[list[Any], list[int]]:
    """Cumulative weights for ``random.choices``: computed once, not on every draw."""
    return list(items), list(accumulate(weights))


_REGION_CHOICE = _weighted(_REGIONS, [r[3] for r in _REGIONS])
_SERVICE_CHOICE = _weighted(_SERVICES, [s[4] for s in _SERVICES])


# --------------------------------------------------------------------------- CNPJ

_CNPJ_W1 = (5, 4, 3, 2, 9, 8, 7, 6, 5, 4, 3, 2)
_CNPJ_W2 = (6, 5, 4, 3, 2, 9, 8, 7, 6, 5, 4, 3, 2)


def cnpj_with_check_digits(base12: str) -> str:
    """The 14-digit CNPJ for a 12-digit base (root + branch): modulo-11 check digits."""
    digits = [int(c) for c in base12]
    for weights in (_CNPJ_W1, _CNPJ_W2):
        rest = sum(d * w for d, w in zip(digits, weights, strict=True)) % 11
        digits.append(0 if rest < 2 else 11 - rest)
    return "".join(map(str, digits))


# --------------------------------------------------------------------------- plan


@dataclass(slots=True)
class _CustomerPlan:
    """What children of a customer need to know about it, kept small for 100k customers."""

    index: int
    id: int
    domain: str
    ddd: str
    created_at: datetime
    contracts: int
    heavy: bool


@dataclass
class _Ids:
    """Next free id per table: explicit ids let children refer to parents without a query."""

    customers: int = 0
    portal_users: int = 0
    portal_sessions: int = 0
    escalation_chains: int = 0
    escalation_contacts: int = 0
    contracts: int = 0
    audit_events: int = 0


@dataclass
class _Counts:
    customers: int = 0
    portal_users: int = 0
    portal_sessions: int = 0
    escalation_chains: int = 0
    escalation_contacts: int = 0
    contracts: int = 0
    audit_events: int = 0


@dataclass
class _AuditPlan:
    """Events drawn before the users exist; the users they name are remembered on the way."""

    events: list[dict[str, Any]] = field(default_factory=list)
    wanted_users: set[int] = field(default_factory=set)  # global user index
    logins: dict[int, tuple[int, str, str]] = field(default_factory=dict)  # -> id, login, email
    wanted_customers: set[int] = field(default_factory=set)  # customer index
    customer_names: dict[int, str] = field(default_factory=dict)  # customer id -> legal name


def _rng(seed: int, stream: str) -> random.Random:
    """One independent stream per kind of row, so e.g. users_per_customer never changes
    the customers drawn for a seed (string seeds are stable across runs and platforms)."""
    return random.Random(f"noc-console-demo/{seed}/{stream}")


# --------------------------------------------------------------------------- public API


def seed_demo(
    engine: Engine,
    options: DemoOptions = DemoOptions(),  # frozen, so a shared default is safe
    *,
    clock: Clock | None = None,
    hasher: Hasher | None = None,
    progress: Progress | None = None,
) -> DemoReport:
    """Fill an already-migrated, empty database with demo data and return what was written.

    Raises DatabaseNotEmpty when customers (or the demo operators) already exist,
    unless ``options.force`` is set and the database is SQLite, in which case it
    is wiped first (see ``_wipe_sqlite``).
    """
    _validate(options)
    started = time.perf_counter()
    clock = clock or SystemClock()
    hasher = hasher or Hasher()
    report_progress: Progress = progress or (lambda _stage, _done, _total: None)
    now = clock.now()
    if now.tzinfo is None:
        raise ValueError("the clock must return an aware datetime")
    now = now.astimezone(UTC)

    _ensure_empty(engine, options)
    counts = _Counts()
    with engine.connect() as conn:
        with _bulk_load_mode(conn, report_progress):
            ids = _next_ids(conn)
            pool = _password_pool(hasher)
            plans = _plan_customers(options, now, ids.customers)
            history = _plan_audit(options, now, plans)
            operator_ids = _load_data(
                conn, options, now, hasher, pool, plans, history, ids, counts, report_progress
            )
            _write_audit(conn, history, operator_ids, ids, counts, report_progress)
        _sync_sequences(conn)
        # Last of all, once the search index and the sequences are right too: its
        # presence is what "this is a complete demo database" means.
        with conn.begin():
            session = Session(bind=conn)
            try:
                audit.record(
                    session,
                    at=now,
                    action=DEMO_SEEDED_ACTION,
                    subject="demo",
                    details=asdict(options),
                )
                session.flush()
            finally:
                session.close()
        counts.audit_events += 1
    return DemoReport(
        customers=counts.customers,
        portal_users=counts.portal_users,
        contracts=counts.contracts,
        escalation_chains=counts.escalation_chains,
        escalation_contacts=counts.escalation_contacts,
        audit_events=counts.audit_events,
        operators=tuple((user, role, password) for user, _name, role, password in DEMO_OPERATORS),
        seconds=time.perf_counter() - started,
    )


# --------------------------------------------------------------------------- guards


def _validate(options: DemoOptions) -> None:
    for name in (
        "customers",
        "users_per_customer",
        "contracts_per_customer",
        "heavy_customer_contracts",
        "audit_days",
    ):
        if getattr(options, name) < 0:
            raise ValueError(f"{name} must not be negative")


def _ensure_empty(engine: Engine, options: DemoOptions) -> None:
    """Refuse to mix demo rows into a database that holds data; wipe SQLite on force."""
    usernames = [op[0] for op in DEMO_OPERATORS]
    with engine.execution_options(sqlite_begin="DEFERRED").connect() as conn:
        customers = conn.scalar(select(func.count()).select_from(Customer)) or 0
        operators = list(
            conn.scalars(select(Operator.username).where(Operator.username.in_(usernames)))
        )
        conn.rollback()
    if not customers and not operators:
        return
    held = (
        f"{customers:,} customers"
        if customers
        else f"the demo operator(s) {', '.join(sorted(operators))}"
    )
    if not options.force:
        hint = (
            "use an empty database, or pass force (--force) to wipe this SQLite database"
            " and seed it again"
            if engine.dialect.name == "sqlite"
            else "use an empty database (drop and recreate it, then run 'db upgrade')"
        )
        raise DatabaseNotEmpty(f"the database already holds {held}; {hint}")
    if engine.dialect.name != "sqlite":
        raise DatabaseNotEmpty(
            f"the database already holds {held}; force (wipe and reseed) is allowed on SQLite"
            " only: on PostgreSQL drop and recreate the database, run 'db upgrade', then seed"
        )
    _wipe_sqlite(engine)


def _wipe_sqlite(engine: Engine) -> None:
    """Delete every row but the password policy, in one transaction.

    Chosen over deleting the file: the wipe is atomic (a failure leaves the data
    as it was), connections other code holds stay valid, and the append-only
    triggers are dropped and recreated inside that same transaction, so no other
    connection ever sees audit_events without them. The FTS triggers are dropped
    too and the FTS tables emptied by one 'delete-all' instead of row by row.

    Foreign keys are switched off on this one connection for the wipe (a pragma
    that only works outside a transaction): with no triggers and no foreign keys
    SQLite truncates a table instead of deleting row by row, which takes a
    million-user database from ~40 s to ~9 s. Every table is emptied, so no
    orphan can exist; the pragma is restored before the connection goes back.
    """
    with engine.connect() as conn:
        driver = conn.connection.driver_connection
        assert driver is not None
        driver.execute("PRAGMA foreign_keys = OFF")
        try:
            with conn.begin():
                for stmt in _drop_trigger_statements(
                    ["audit_events_no_update", "audit_events_no_delete"]
                ):
                    conn.exec_driver_sql(stmt)
                for table in search_objects.SEARCH_COLUMNS:
                    for stmt in _drop_trigger_statements(_fts_trigger_names(table)):
                        conn.exec_driver_sql(stmt)
                for table in reversed(Base.metadata.sorted_tables):
                    if table.name != "password_policy":
                        conn.execute(table.delete())
                for table in search_objects.SEARCH_COLUMNS:
                    fts = search_objects.fts_table(table)
                    conn.exec_driver_sql(f"INSERT INTO {fts}({fts}) VALUES ('delete-all')")  # noqa: S608
                    for stmt in _fts_trigger_ddl(table):
                        conn.exec_driver_sql(stmt)
                for stmt in search_objects.sqlite_audit_ddl():
                    conn.exec_driver_sql(stmt)
        finally:
            driver.execute("PRAGMA foreign_keys = ON")


def _secondary_indexes(conn: Connection, tables: Sequence[str]) -> list[tuple[str, str]]:
    """(name, CREATE statement) of the explicitly created indexes on ``tables``.

    Indexes behind UNIQUE and PRIMARY KEY constraints have no statement
    (``sql IS NULL``) and cannot be dropped; they stay.
    """
    marks = ", ".join("?" for _ in tables)
    rows = conn.exec_driver_sql(
        "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL"  # noqa: S608
        f" AND tbl_name IN ({marks}) ORDER BY tbl_name, name",
        tuple(tables),
    ).all()
    return [(str(name), str(sql)) for name, sql in rows]


def _fts_trigger_names(table: str) -> list[str]:
    return [f"{search_objects.fts_table(table)}_{s}" for s in ("ai", "ad", "au")]


def _fts_trigger_ddl(table: str) -> list[str]:
    """The three CREATE TRIGGER statements of the migration (not the table, not the rebuild)."""
    return [s for s in search_objects.sqlite_search_ddl(table) if s.startswith("CREATE TRIGGER")]


def _drop_trigger_statements(names: Sequence[str]) -> list[str]:
    return [f"DROP TRIGGER IF EXISTS {name}" for name in names]


# --------------------------------------------------------------------------- loading machinery


@contextmanager
def _bulk_load_mode(conn: Connection, progress: Progress) -> Iterator[None]:
    """SQLite: FTS triggers and secondary indexes off and a big page cache during
    the load; indexes and FTS rebuilt after.

    Why the indexes go: a million random keys inserted into a dozen B-trees
    outgrow the page cache, and each insert then reads pages back; building an
    index once over the loaded table is a sort, several times cheaper (the large
    benchmark dataset's build went from ~190 s to well under its 3-minute budget).
    The statements come from ``sqlite_master`` itself, so the indexes return
    exactly as the migrations made them (``migrate.differences`` stays empty).
    Indexes, triggers and FTS tables are restored even when the load fails
    half-way, so the database is never left without them.
    """
    if conn.dialect.name != "sqlite":
        yield
        return
    with conn.begin():
        previous_cache = conn.exec_driver_sql("PRAGMA cache_size").scalar_one()
        conn.exec_driver_sql(f"PRAGMA cache_size = -{SQLITE_LOAD_CACHE_KIB}")
        indexes = _secondary_indexes(conn, BULK_TABLES)
        for name, _sql in indexes:
            conn.exec_driver_sql(f'DROP INDEX "{name}"')
        for table in search_objects.SEARCH_COLUMNS:
            for stmt in _drop_trigger_statements(_fts_trigger_names(table)):
                conn.exec_driver_sql(stmt)
    try:
        yield
    finally:
        if conn.in_transaction():
            conn.rollback()
        progress("indexes", 0, len(indexes))
        for done, (_name, sql) in enumerate(indexes, start=1):
            with conn.begin():
                conn.exec_driver_sql(sql)
            progress("indexes", done, len(indexes))
        with conn.begin():
            for table in search_objects.SEARCH_COLUMNS:
                for stmt in _fts_trigger_ddl(table):
                    conn.exec_driver_sql(stmt)
        tables = list(search_objects.SEARCH_COLUMNS)
        progress("search index", 0, len(tables))
        for done, table in enumerate(tables, start=1):
            # One transaction per table: a rebuild writes the whole index.
            with conn.begin():
                fts = search_objects.fts_table(table)
                conn.exec_driver_sql(f"INSERT INTO {fts}({fts}) VALUES ('rebuild')")  # noqa: S608
            progress("search index", done, len(tables))
        with conn.begin():
            conn.exec_driver_sql(f"PRAGMA cache_size = {int(previous_cache)}")


def _begin_bulk(conn: Connection) -> None:
    """PostgreSQL: the console's engine has a 5 s statement timeout; a bulk batch may need more."""
    if conn.dialect.name == "postgresql":
        conn.exec_driver_sql("SET LOCAL statement_timeout = 0")


def _table(name: str) -> Table:
    return Base.metadata.tables[name]


def _next_ids(conn: Connection) -> _Ids:
    ids = _Ids()
    with conn.begin():
        for name in vars(ids):
            table = _table(name)
            ids.__setattr__(name, int(conn.scalar(select(func.max(table.c.id))) or 0) + 1)
    return ids


def _sync_sequences(conn: Connection) -> None:
    """PostgreSQL: explicit ids do not advance the serial sequences; move them past our rows."""
    if conn.dialect.name != "postgresql":
        return
    with conn.begin():
        for name in vars(_Ids()):
            conn.execute(
                text(
                    f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), max(id))"  # noqa: S608
                    f" FROM {name} HAVING max(id) IS NOT NULL"
                )
            )


def _password_pool(hasher: Hasher) -> list[str]:
    """A few argon2id PHC strings of random, unknown passwords, shared by all portal users.

    Hashing a million passwords would take hours; hashing eight takes a moment and
    still gives rows that look (and verify) like real ones.
    """
    return [hasher.hash(secrets.token_urlsafe(18)) for _ in range(PASSWORD_POOL_SIZE)]


# --------------------------------------------------------------------------- customers


def _plan_customers(options: DemoOptions, now: datetime, first_id: int) -> list[_CustomerPlan]:
    """Decide each customer's id, domain, area code and contract count up front."""
    total = options.customers + (1 if options.heavy_customer_contracts else 0)
    return [
        _CustomerPlan(
            index=i,
            id=first_id + i,
            domain="",
            ddd="",
            created_at=now,
            contracts=options.contracts_per_customer
            if i < options.customers
            else options.heavy_customer_contracts,
            heavy=i >= options.customers,
        )
        for i in range(total)
    ]


def _customer_rows(
    rng: random.Random,
    plans: Sequence[_CustomerPlan],
    now: datetime,
    used_roots: set[str],
    audit: _AuditPlan,
) -> list[dict[str, Any]]:
    """Customers of one block; fills in each plan's domain, area code and creation time."""
    rows = []
    for plan in plans:
        i = plan.index
        region = rng.choices(*_REGION_CHOICE)[0]
        city, ddd, tz = region[0], region[1], region[2]
        sector_legal, sector_trade = rng.choice(_SECTORS)
        core = rng.choice(_CORES)
        where = f" de {city}" if rng.random() < 0.3 else ""
        legal_name = f"{sector_legal} {core}{where} {rng.choice(_LEGAL_SUFFIXES)}"
        shape = rng.random()
        trade_name: str | None = (
            f"{sector_trade} {core}" if shape < 0.85 else core if shape < 0.95 else None
        )
        if plan.heavy:
            legal_name, trade_name = HEAVY_CUSTOMER_LEGAL_NAME, HEAVY_CUSTOMER_TRADE_NAME
            city, ddd, tz = "São Paulo", "11", "America/Sao_Paulo"
        while True:
            root = f"{rng.randrange(1_000_000, 100_000_000):08d}"
            if root not in used_roots and len(set(root)) > 1:
                used_roots.add(root)
                break
        branch = 1 if rng.random() < 0.9 else rng.randint(2, 12)
        cnpj = cnpj_with_check_digits(f"{root}{branch:04d}")
        # Showcase states at fixed positions so even a 12-customer demo has each one.
        if i % 25 == 7:
            status = "suspended"
        elif i % 50 == 11:
            status = "closed"
        else:
            draw = rng.random()
            status = "active" if draw < 0.93 else "suspended" if draw < 0.97 else "closed"
        if plan.heavy:
            status = "active"
        created_at = now - timedelta(days=rng.randint(400, 5000), seconds=rng.randrange(86_400))
        domain = "".join(ch for ch in fold(trade_name or core) if ch.isalnum())
        plan.domain = f"{domain}{rng.choice(_TLDS)}"
        if i in audit.wanted_customers:
            audit.customer_names[plan.id] = legal_name
        plan.ddd = ddd
        plan.created_at = created_at
        rows.append(
            {
                "id": plan.id,
                "legal_name": legal_name,
                "trade_name": trade_name,
                "cnpj": cnpj,
                "status": status,
                "timezone": tz,
                "created_at": created_at,
                **customer_search_values(legal_name, trade_name),
            }
        )
    return rows


# --------------------------------------------------------------------------- people


class _Names:
    """Brazilian personal names, folded once per part (folding is the hot path at 1M users)."""

    def __init__(self) -> None:
        def folded(names: Sequence[str]) -> list[tuple[str, str]]:
            # The login uses the last word: "da Silva" -> "silva".
            return [(n, fold(n).split()[-1]) for n in names]

        self.given = (
            (folded(_FEMALE_NAMES), folded(_FEMALE_SECOND)),
            (folded(_MALE_NAMES), folded(_MALE_SECOND)),
        )
        self.last = folded(_SURNAMES)
        self.last_particle = folded(_PARTICLE_SURNAMES)

    def draw(self, rng: random.Random) -> tuple[str, str, str]:
        """(full name, folded first name, folded last surname): the two parts make logins."""
        firsts, seconds = self.given[rng.random() < 0.5]
        first, first_f = rng.choice(firsts)
        parts = [first]
        if rng.random() < 0.3:
            second = rng.choice(seconds)[0]
            if second != first:
                parts.append(second)
        if rng.random() < 0.55:
            parts.append(rng.choice(self.last)[0])
        last, last_f = rng.choice(self.last_particle if rng.random() < 0.2 else self.last)
        while last == parts[-1]:  # "Conceição Conceição" or "Silva Silva"
            last, last_f = rng.choice(self.last)
        parts.append(last)
        return " ".join(parts), first_f, last_f


def _phone(rng: random.Random, ddd: str) -> str:
    """E.164 Brazilian number: mostly mobiles (9 digits starting with 9), some landlines."""
    if rng.random() < 0.8:
        return f"+55{ddd}9{rng.randint(6, 9)}{rng.randrange(10_000_000):07d}"
    return f"+55{ddd}{rng.randint(2, 5)}{rng.randrange(10_000_000):07d}"


@dataclass
class _UserState:
    """Per-run state of the user generator: login uniqueness and the showcase counter."""

    logins: dict[str, int] = field(default_factory=dict)
    global_index: int = 0


def _user_rows(
    rng: random.Random,
    names: _Names,
    plan: _CustomerPlan,
    per_customer: int,
    now: datetime,
    pool: Sequence[str],
    state: _UserState,
    ids: _Ids,
    audit: _AuditPlan,
    sessions: list[dict[str, Any]],
) -> list[dict[str, Any]]:
    rows = []
    emails: set[str] = set()
    for j in range(per_customer):
        g = state.global_index
        state.global_index += 1
        user_id = ids.portal_users
        ids.portal_users += 1
        full_name, first_f, last_f = names.draw(rng)
        base = f"{first_f}.{last_f}"
        seen = state.logins.get(base, 0)
        state.logins[base] = seen + 1
        login = base if not seen else f"{base}{seen + 1}"  # bases hold no digits: unique
        local = base if base not in emails else f"{base}{len(emails) + 1}"
        emails.add(local)
        email = f"{local}@{plan.domain}"
        # At least three days old, so sessions and temporary passwords come after it.
        created_at = plan.created_at + (now - timedelta(days=3) - plan.created_at) * rng.random()
        row: dict[str, Any] = {
            "id": user_id,
            "customer_id": plan.id,
            "full_name": full_name,
            "login": login,
            "email": email,
            "phone": _phone(rng, plan.ddd) if rng.random() < 0.85 else None,
            "preposto_level": 1 if j == 0 else rng.choices((1, 2, 3), cum_weights=(15, 50, 100))[0],
            "is_active": True,
            "password_hash": pool[rng.randrange(len(pool))],
            "password_changed_at": created_at + (now - created_at) * rng.random(),
            "must_change_password": False,
            "temp_password_expires_at": None,
            "failed_login_count": 0,
            "locked_until": None,
            "created_at": created_at,
            "version": 1,
            **portal_user_search_values(full_name, email),
        }
        # Showcase states at fixed positions (one of each in any demo), then random ones.
        state_draw = {1: 0.05, 2: 0.08, 3: 0.0}.get(g, rng.random() if j else 1.0)
        sessions_wanted = 0
        if state_draw < 0.03:
            row["is_active"] = False
        elif state_draw < 0.06:
            # Half follow the portal's 15-minute lockout; half are long locks, so a
            # demo database opened tomorrow still has locked users to unlock.
            minutes = rng.randint(3, 15) if rng.random() < 0.5 else rng.randint(1440, 43_200)
            row["locked_until"] = now + timedelta(minutes=minutes)
            row["failed_login_count"] = 5
            sessions_wanted = rng.randint(1, 2)
        elif state_draw < 0.09:
            row["must_change_password"] = True
            hours_left = rng.randint(-20, 23) if g != 2 else 20
            row["temp_password_expires_at"] = now + timedelta(hours=hours_left, minutes=7)
            row["password_changed_at"] = now + timedelta(hours=hours_left - 24, minutes=7)
        else:
            if rng.random() < 0.1:
                row["failed_login_count"] = rng.randint(1, 3)
            if rng.random() < 0.08:
                sessions_wanted = rng.randint(1, 2)
        if g == 1:
            sessions_wanted = 2
        for _ in range(sessions_wanted):
            sessions.append(_session_row(rng, user_id, now, ids))
        if g in audit.wanted_users:
            audit.logins[g] = (user_id, login, email)
        rows.append(row)
    return rows


def _session_row(rng: random.Random, user_id: int, now: datetime, ids: _Ids) -> dict[str, Any]:
    """An active portal session. The token is random (not from the seed): nobody can
    rebuild it, so a demo database never carries a usable session."""
    session_id = ids.portal_sessions
    ids.portal_sessions += 1
    created = now - timedelta(minutes=rng.randint(5, 600))
    return {
        "id": session_id,
        "portal_user_id": user_id,
        "token_hash": hashlib.sha256(secrets.token_bytes(32)).hexdigest(),
        "created_at": created,
        "last_seen_at": created + (now - created) * rng.random(),
        "expires_at": now + timedelta(minutes=rng.randint(30, 720)),
        "revoked_at": None,
        "revoked_reason": None,
    }


# --------------------------------------------------------------------------- escalation


def _chain_kind(rng: random.Random, index: int, heavy: bool) -> int:
    """Levels registered: 3 full, 1-2 partial, 0 empty chain row, -1 no chain row at all."""
    showcase = {0: 3, 1: 2, 2: 0, 3: 1, 4: -1}
    if heavy:
        return 3
    if index in showcase:
        return showcase[index]
    return rng.choices((3, 2, 1, 0, -1), cum_weights=(55, 70, 80, 95, 100))[0]


def _escalation_rows(
    rng: random.Random,
    names: _Names,
    plan: _CustomerPlan,
    now: datetime,
    ids: _Ids,
    chains: list[dict[str, Any]],
    contacts: list[dict[str, Any]],
) -> None:
    levels = _chain_kind(rng, plan.index, plan.heavy)
    if levels < 0:
        return
    chain_id = ids.escalation_chains
    ids.escalation_chains += 1
    chains.append(
        {
            "id": chain_id,
            "customer_id": plan.id,
            "version": 1,
            "updated_at": now - timedelta(days=rng.randint(1, 700), seconds=rng.randrange(86_400)),
            "updated_by": DEMO_UPDATED_BY,
        }
    )
    for level in range(1, levels + 1):
        name, first_f, last_f = names.draw(rng)
        channel = rng.random()
        phone = _phone(rng, plan.ddd) if channel < 0.9 else None
        email = f"{first_f}.{last_f}@{plan.domain}" if channel >= 0.7 or phone is None else None
        delay = 0 if level == 1 else rng.choice(_LEVEL2_DELAYS if level == 2 else _LEVEL3_DELAYS)
        contacts.append(
            {
                "id": ids.escalation_contacts,
                "chain_id": chain_id,
                "level": level,
                "name": name,
                "role_title": rng.choice(_CONTACT_ROLES),
                "phone": phone,
                "email": email,
                "delay_minutes": delay,
                **contact_search_values(name, email),
            }
        )
        ids.escalation_contacts += 1


# --------------------------------------------------------------------------- contracts


def _money(rng: random.Random, low: int, high: int) -> Decimal:
    """A price like 1499.90: built from integer cents, so never a float on the way."""
    cents = rng.randint(low, high) * 100 + rng.choice(_CENTS)
    return Decimal(cents).scaleb(-2)


def _contract_rows(
    rng: random.Random, plan: _CustomerPlan, today: date, ids: _Ids, count: int
) -> Iterator[dict[str, Any]]:
    for k in range(count):
        n = ids.contracts
        ids.contracts += 1
        service, low, high, currency, _weight = rng.choices(*_SERVICE_CHOICE)[0]
        if plan.heavy:
            service = f"{service} – Loja {k % 2_000 + 1:04d}"
        # Showcase: the first contracts cover every state the browser must show.
        shape = k if plan.index == 0 and k < 5 else None
        draw = rng.random()
        if shape == 2 or (shape is None and draw >= 0.75):
            status = "inactive"
            ended = today - timedelta(days=rng.randint(1, 1_500))
            start = ended - timedelta(days=rng.randint(90, 1_800))
            end: date | None = ended
        else:
            status = "active"
            start = today - timedelta(days=rng.randint(30, 2_500))
            bucket = rng.random()
            if shape == 0:
                bucket = 0.0
            elif shape == 1:
                bucket = 0.40
            elif shape == 3:
                bucket = 0.55
            if bucket < 0.35:
                end = None  # open-ended
            elif bucket < 0.45:
                end = today + timedelta(days=rng.randint(1, 30))
            elif bucket < 0.53:
                end = today + timedelta(days=rng.randint(31, 60))
            elif bucket < 0.60:
                end = today + timedelta(days=rng.randint(61, 90))
            else:
                end = today + timedelta(days=rng.randint(91, 1_100))
        if shape == 4:
            service, low, high, currency = "Trânsito IP Internacional 1 Gbps", 800, 3_000, "USD"
        yield {
            "id": n,
            "customer_id": plan.id,
            "number": f"CT-{start.year}-{n:06d}",
            "service_name": service,
            "status": status,
            "start_date": start,
            "end_date": end,
            "monthly_value": _money(rng, low, high),
            "currency": currency,
            "created_at": datetime(start.year, start.month, start.day, 12, tzinfo=UTC),
        }


# --------------------------------------------------------------------------- main load


def _load_data(
    conn: Connection,
    options: DemoOptions,
    now: datetime,
    hasher: Hasher,
    pool: Sequence[str],
    plans: Sequence[_CustomerPlan],
    audit: _AuditPlan,
    ids: _Ids,
    counts: _Counts,
    progress: Progress,
) -> dict[str, int]:
    """Operators, then customers and all their children, one block of customers per
    transaction. The operators share the first block's transaction, so a run that
    dies early leaves neither operators nor customers behind."""
    streams = ("customers", "users", "escalation", "contracts")
    rng_c, rng_u, rng_e, rng_k = (_rng(options.seed, s) for s in streams)
    names = _Names()
    users = _UserState()
    used_roots: set[str] = set()
    today = now.date()
    per_row = 1 + options.users_per_customer + options.contracts_per_customer + 4
    block = max(1, ROWS_PER_BLOCK // per_row)
    t_customers, t_users = _table("customers"), _table("portal_users")
    t_sessions, t_chains = _table("portal_sessions"), _table("escalation_chains")
    t_contacts, t_contracts = _table("escalation_contacts"), _table("contracts")
    operator_ids: dict[str, int] = {}
    progress("customers", 0, len(plans))
    start = 0
    while start < len(plans) or not operator_ids:
        chunk = plans[start : start + block]
        if chunk and chunk[0].heavy:
            chunk = chunk[:1]  # the heavy customer gets a block of its own
        elif chunk and chunk[-1].heavy:
            chunk = chunk[:-1]
        with conn.begin():
            _begin_bulk(conn)
            if not operator_ids:
                operator_ids = _create_operators(conn, options, now, hasher)
                progress("operators", len(operator_ids), len(DEMO_OPERATORS))
            if not chunk:
                break
            customer_rows = _customer_rows(rng_c, chunk, now, used_roots, audit)
            sessions: list[dict[str, Any]] = []
            user_rows: list[dict[str, Any]] = []
            chains: list[dict[str, Any]] = []
            contacts: list[dict[str, Any]] = []
            for plan in chunk:
                user_rows += _user_rows(
                    rng_u,
                    names,
                    plan,
                    options.users_per_customer,
                    now,
                    pool,
                    users,
                    ids,
                    audit,
                    sessions,
                )
                _escalation_rows(rng_e, names, plan, now, ids, chains, contacts)
            conn.execute(insert(t_customers), customer_rows)
            for table, rows in (
                (t_users, user_rows),
                (t_sessions, sessions),
                (t_chains, chains),
                (t_contacts, contacts),
            ):
                if rows:
                    conn.execute(insert(table), rows)
            counts.customers += len(customer_rows)
            counts.portal_users += len(user_rows)
            counts.portal_sessions += len(sessions)
            counts.escalation_chains += len(chains)
            counts.escalation_contacts += len(contacts)
            contract_rows = [
                row
                for plan in chunk
                if not plan.heavy
                for row in _contract_rows(rng_k, plan, today, ids, plan.contracts)
            ]
            if contract_rows:
                conn.execute(insert(t_contracts), contract_rows)
            counts.contracts += len(contract_rows)
        heavy = [p for p in chunk if p.heavy]
        for plan in heavy:
            # 20,000 contracts for one customer: its own transactions, chunk by chunk.
            contract_iter = _contract_rows(rng_k, plan, today, ids, plan.contracts)
            while rows := list(islice(contract_iter, CONTRACT_CHUNK)):
                with conn.begin():
                    _begin_bulk(conn)
                    conn.execute(insert(t_contracts), rows)
                counts.contracts += len(rows)
        start += len(chunk)
        progress("customers", start, len(plans))
    return operator_ids


def _create_operators(
    conn: Connection, options: DemoOptions, now: datetime, hasher: Hasher
) -> dict[str, int]:
    """The three demo logins, through the service (same validation and hashing as real ones),
    dated before the audit history so their first recorded login is not before they existed."""
    hired = FixedClock(now - timedelta(days=options.audit_days + 7))
    session = Session(bind=conn)
    try:
        created = {
            username: create_operator(
                session,
                username=username,
                display_name=display,
                role=role,
                password=password,
                hasher=hasher,
                clock=hired,
            ).id
            for username, display, role, password in DEMO_OPERATORS
        }
        session.flush()
    finally:
        session.close()
    return created


# --------------------------------------------------------------------------- audit


# Kinds of operator work in the history, in the shapes the services record them.
_AUDIT_KINDS = ("reset_temporary", "reset_link", "unlock_only", "escalation", "values", "denied")
_AUDIT_WEIGHTS = (25, 14, 7, 20, 30, 4)
_CONTRACT_SORTS = ("number", "service", "start_date", "end_date", "value")


def _plan_audit(options: DemoOptions, now: datetime, plans: Sequence[_CustomerPlan]) -> _AuditPlan:
    """Draw the audit history before the users exist (their ids and logins are filled in
    while they are generated).

    Actions and details mirror what the services record (password_reset,
    escalation_chain_saved, contract_values_viewed, operator_login/logout,
    permission_denied), so the audit screen shows demo rows exactly like real ones.
    Volume grows gently with the customer base: a NOC does not reset more
    passwords per day because the database is larger, but a bit more happens.
    """
    plan = _AuditPlan()
    if options.audit_days <= 0:
        return plan
    rng = _rng(options.seed, "audit")
    per_day = min(4 + len(plans) // 50, 300)
    upc = options.users_per_customer
    first_day = now.date() - timedelta(days=options.audit_days - 1)
    drawn = 0
    for day in range(options.audit_days):
        today = first_day + timedelta(days=day)
        local_midnight = datetime(today.year, today.month, today.day, tzinfo=UTC) - BRT
        weekend = today.weekday() >= 5
        on_shift = [op for op in DEMO_OPERATORS if not weekend or op[2] == "operator"]
        for username, _name, _role, _password in on_shift:
            login_at = local_midnight + timedelta(hours=7, minutes=rng.randint(40, 80))
            logout_at = local_midnight + timedelta(hours=19, minutes=rng.randint(35, 90))
            for at, action, details in (
                (login_at, "operator_login", {}),
                (logout_at, "operator_logout", {"why": rng.choice(("logout", "logout", "quit"))}),
            ):
                if at < now:
                    plan.events.append(
                        {"at": at, "op": username, "action": action, "details": details}
                    )
        if not plans:
            continue
        for _ in range(per_day // 3 if weekend else per_day):
            minutes = rng.randint(8 * 60, 19 * 60 + 30)
            at = local_midnight + timedelta(minutes=minutes, seconds=rng.randrange(60))
            # The first events cycle through every kind, so even a tiny demo shows each.
            kind = (
                _AUDIT_KINDS[drawn]
                if drawn < len(_AUDIT_KINDS)
                else rng.choices(_AUDIT_KINDS, weights=_AUDIT_WEIGHTS)[0]
            )
            if kind in ("reset_temporary", "reset_link", "unlock_only") and not upc:
                kind = "values"
            allowed = [o[0] for o in on_shift if _may(o[2], kind)]
            if at >= now or not allowed:
                continue
            drawn += 1
            customer = rng.choice(plans)
            plan.events.append(
                _audit_event(rng, kind, at, rng.choice(allowed), customer, upc, plan)
            )
    plan.events.sort(key=lambda e: e["at"])
    return plan


def _may(role: str, kind: str) -> bool:
    """Who does what, as the permission table allows it (analysts are denied values)."""
    if kind == "escalation":
        return role in ("operator", "supervisor")
    if kind == "values":
        return role == "supervisor"
    if kind == "denied":
        return role == "analyst"
    return True


def _audit_event(
    rng: random.Random,
    kind: str,
    at: datetime,
    op: str,
    customer: _CustomerPlan,
    upc: int,
    plan: _AuditPlan,
) -> dict[str, Any]:
    event: dict[str, Any] = {"at": at, "op": op, "customer": customer.id}
    ticket = f"INC-{at:%Y%m%d}-{rng.randint(1, 9999):04d}"
    if kind in ("reset_temporary", "reset_link", "unlock_only"):
        g = customer.index * upc + rng.randrange(upc)
        plan.wanted_users.add(g)
        method = {"reset_temporary": "temporary_password", "reset_link": "reset_link"}.get(
            kind, "unlock_only"
        )
        unlock = method == "unlock_only" or rng.random() < 0.3
        end_sessions = method != "unlock_only" or rng.random() < 0.5
        details: dict[str, Any] = {"method": method}
        if method == "temporary_password":
            details["expires_at"] = (at + timedelta(hours=24)).isoformat()
        elif method == "reset_link":
            details["expires_at"] = (at + timedelta(minutes=30)).isoformat()
            details["earlier_links_invalidated"] = rng.choice((0, 0, 0, 1))
        details |= {
            "checks": {
                "name_matches": True,
                "cnpj_confirmed": True,
                "callback_done": rng.random() < 0.7,
            },
            "unlock": unlock,
            "was_locked": unlock,
            "end_sessions": end_sessions,
            "sessions_ended": rng.choice((0, 0, 1, 2)) if end_sessions else 0,
        }
        reasons = _UNLOCK_REASONS if method == "unlock_only" else _RESET_REASONS
        event |= {
            "action": "password_reset",
            "user": g,
            "ticket_ref": ticket,
            "reason": rng.choice(reasons),
            "details": details,
        }
    elif kind == "escalation":
        plan.wanted_customers.add(customer.index)
        level = rng.choice((1, 2, 2, 3, 3))
        if level == 1:
            fields: dict[str, Any] = {"role_title": {"old": None, "new": "Gerente de TI"}}
        else:
            old, new = rng.sample(_LEVEL2_DELAYS if level == 2 else _LEVEL3_DELAYS, 2)
            fields = {"delay_minutes": {"old": old, "new": new}}
        version = rng.randint(1, 4)
        event |= {
            "action": "escalation_chain_saved",
            "ticket_ref": ticket.replace("INC", "CHG"),
            "reason": rng.choice(_ESCALATION_REASONS),
            "details": {
                "version": {"old": version, "new": version + 1},
                "levels": {str(level): {"change": "changed", "fields": fields}},
                "contacts": rng.randint(max(level, 2), 3),
                "same_person_warnings": [],
            },
        }
    elif kind == "values":
        event |= {
            "action": "contract_values_viewed",
            "details": {
                "view": rng.choice(("list", "list", "totals")),
                "status": rng.choice(("active", "active", "all", "inactive")),
                "sort": rng.choice(_CONTRACT_SORTS),
                "text": "",
            },
        }
    else:
        event |= {
            "action": "permission_denied",
            "details": {"permission": "view_contract_values", "role": "analyst", "why": "role"},
        }
    return event


def _write_audit(
    conn: Connection,
    plan: _AuditPlan,
    operator_ids: dict[str, int],
    ids: _Ids,
    counts: _Counts,
    progress: Progress,
) -> None:
    """The operators' history, oldest first (ids follow time, as they would in real use)."""
    rows: list[dict[str, Any]] = []
    last_login: dict[str, datetime] = {}
    for event in plan.events:
        user_id: int | None = None
        subject: str | None = None
        if event["action"] in ("operator_login", "operator_logout"):
            subject = f"op:{event['op']}"
            if event["action"] == "operator_login":
                last_login[event["op"]] = event["at"]
        elif "user" in event:
            user_id, login, email = plan.logins[event["user"]]
            subject = f"portal:{login}"
            if event["details"]["method"] == "reset_link":
                local, _at, domain = email.rpartition("@")
                event["details"]["email_masked"] = f"{local[:1]}***@{domain}"
        elif event["action"] == "escalation_chain_saved":
            subject = plan.customer_names[event["customer"]][:200]
        rows.append(
            _audit_row(
                ids,
                event["at"],
                event["action"],
                operator_ids[event["op"]],
                event.get("customer"),
                user_id,
                subject,
                event.get("ticket_ref"),
                event.get("reason"),
                event.get("details", {}),
            )
        )
    total = len(rows)
    progress("audit", 0, total)
    t_audit, t_ops = _table("audit_events"), _table("operators")
    for offset in range(0, total, ROWS_PER_BLOCK):
        with conn.begin():
            _begin_bulk(conn)
            conn.execute(insert(t_audit), rows[offset : offset + ROWS_PER_BLOCK])
        progress("audit", min(total, offset + ROWS_PER_BLOCK), total)
    if last_login:
        with conn.begin():
            conn.execute(
                update(t_ops)
                .where(t_ops.c.id == bindparam("op_id"))
                .values(last_login_at=bindparam("at")),
                [{"op_id": operator_ids[u], "at": at} for u, at in last_login.items()],
            )
    counts.audit_events += total


def _audit_row(
    ids: _Ids,
    at: datetime,
    action: str,
    operator_id: int | None,
    customer_id: int | None,
    portal_user_id: int | None,
    subject: str | None,
    ticket_ref: str | None,
    reason: str | None,
    details: dict[str, Any],
) -> dict[str, Any]:
    row = {
        "id": ids.audit_events,
        "occurred_at": at,
        "operator_id": operator_id,
        "portal_user_id": portal_user_id,
        "action": action,
        "customer_id": customer_id,
        "subject": subject,
        "ticket_ref": ticket_ref,
        "reason": reason,
        "details": details,
    }
    ids.audit_events += 1
    return row
