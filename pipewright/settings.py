"""Pipewright settings: one file, configured only through environment variables.

With nothing set, everything runs on embedded defaults inside the data dir
(`PIPEWRIGHT_DATA_DIR`, default `var/`): a SQLite database, a private Redis
started by `make run`, local artifact storage and local compute. Production sets
`DATABASE_URL`, `REDIS_URL`, `SECRET_KEY` (or `SECRET_KEY_FILE`), `ALLOWED_HOSTS`.
"""

from __future__ import annotations

import secrets
from pathlib import Path

import django_stubs_ext
import environ

# Lets classes such as admin.ModelAdmin[Model] be written with type parameters.
django_stubs_ext.monkeypatch()

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()


def env_secret(name: str, default: str | None = None) -> str | None:
    """Read a secret from `NAME`, or from the file named by `NAME_FILE`."""
    file_path = env.str(f"{name}_FILE", default="")
    if file_path:
        return Path(file_path).read_text().strip()
    return env.str(name, default=default)


DATA_DIR = Path(env.str("PIPEWRIGHT_DATA_DIR", default=str(BASE_DIR / "var"))).resolve()
DATA_DIR.mkdir(parents=True, exist_ok=True)


def _generated_secret_key() -> str:
    """A key generated once into the data dir, so sessions survive restarts."""
    key_file = DATA_DIR / "secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_urlsafe(50))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


DEBUG = env.bool("DEBUG", default=False)
SECRET_KEY = env_secret("SECRET_KEY") or _generated_secret_key()
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "daphne",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "channels",
    "editor",
    "runs",
    "storage_backends",
    "compute_backends",
    "credentials",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "pipewright.security_headers.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last: a view that meets an unreachable database answers 503, not a 500 page.
    "pipewright.db_unavailable.DatabaseUnavailableMiddleware",
]

ROOT_URLCONF = "pipewright.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "pipewright" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

WSGI_APPLICATION = "pipewright.wsgi.application"
ASGI_APPLICATION = "pipewright.asgi.application"

# --- database -------------------------------------------------------------
DATABASES = {
    "default": env.db_url("DATABASE_URL", default=f"sqlite:///{DATA_DIR / 'db.sqlite3'}"),
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Worker processes started by the tests must see the test database, so it
    # lives in a file rather than in memory. WAL lets readers and one writer overlap.
    DATABASES["default"]["ENGINE"] = "pipewright.db.sqlite"  # writers queue on a lock: see there
    DATABASES["default"]["TEST"] = {"NAME": str(DATA_DIR / "test_db.sqlite3")}
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        # How long a writer waits for SQLite's lock before "database is locked".
        "timeout": env.float("PIPEWRIGHT_SQLITE_TIMEOUT", default=20.0),
    }
# Connections are kept between tasks and requests (a new one per node task was
# a measurable part of its overhead), and checked before reuse.
DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("DATABASE_CONN_MAX_AGE", default=60))
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- redis: Celery broker and channel layer --------------------------------
EMBEDDED_REDIS_PORT = env.int("PIPEWRIGHT_REDIS_PORT", default=6390)
REDIS_URL = env.str("REDIS_URL", default=f"redis://127.0.0.1:{EMBEDDED_REDIS_PORT}/0")

CELERY_BROKER_URL = REDIS_URL
CELERY_RESULT_BACKEND = None  # results live in the database (NodeRun), not in Redis
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_DEFAULT_QUEUE = "default"
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TASK_ALWAYS_EAGER = False

# Live run events travel on the channel layer; it may live on a Redis of its own.
CHANNELS_REDIS_URL = env.str("PIPEWRIGHT_CHANNELS_REDIS_URL", default=REDIS_URL)
CHANNEL_LAYERS = {
    "default": {
        "BACKEND": "channels_redis.core.RedisChannelLayer",
        "CONFIG": {"hosts": [CHANNELS_REDIS_URL], "capacity": 1000},
    },
}

# --- auth -----------------------------------------------------------------
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# The test suite makes thousands of users (PBKDF2 costs 0.5 s each on a small machine): it
# asks for a fast hash (tests/plugins/services.py). Never for real accounts.
if env.bool("PIPEWRIGHT_FAST_PASSWORD_HASHING", default=False):
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
LOGIN_URL = "/accounts/login/"
LOGIN_REDIRECT_URL = "/pipelines/"
LOGOUT_REDIRECT_URL = "/accounts/login/"

# --- i18n / static --------------------------------------------------------
LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)
FRONTEND_DIST = BASE_DIR / "frontend" / "dist"
STATICFILES_DIRS = [FRONTEND_DIST] if FRONTEND_DIST.is_dir() else []
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
# The built front end already carries content hashes in its file names.
WHITENOISE_IMMUTABLE_FILE_TEST = r"^.+[.-][0-9a-zA-Z_-]{8,12}\..+$"
# Serve static files straight from their sources, without collectstatic (the tests' server).
WHITENOISE_USE_FINDERS = env.bool("WHITENOISE_USE_FINDERS", default=False)

# --- uploads: streamed to disk, never held whole in memory ------------------
FILE_UPLOAD_MAX_MEMORY_SIZE = 256 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
PIPEWRIGHT_MAX_UPLOAD_BYTES = env.int("PIPEWRIGHT_MAX_UPLOAD_BYTES", default=2 * 1024**3)
FILE_UPLOAD_HANDLERS = ["storage_backends.uploads.LimitedTemporaryFileUploadHandler"]

# --- storage and compute backends -------------------------------------------
PIPEWRIGHT_ARTIFACTS_DIR = Path(
    env.str("PIPEWRIGHT_ARTIFACTS_DIR", default=str(DATA_DIR / "artifacts"))
).resolve()
PIPEWRIGHT_DEFAULT_STORAGE = env.str("PIPEWRIGHT_DEFAULT_STORAGE", default="local")
PIPEWRIGHT_DEFAULT_COMPUTE = env.str("PIPEWRIGHT_DEFAULT_COMPUTE", default="local")
# Device ids this worker may hand out; unset means "ask nvidia-smi".
PIPEWRIGHT_GPU_DEVICES: list[str] | None = (
    env.list("PIPEWRIGHT_GPU_DEVICES") if env.str("PIPEWRIGHT_GPU_DEVICES", default="") else None
)

# --- execution engine ------------------------------------------------------
# A running node's task touches its heartbeat this often; a node whose heartbeat
# is older than PIPEWRIGHT_NODE_LOST_SECONDS is taken as lost with its worker.
PIPEWRIGHT_HEARTBEAT_SECONDS = env.float("PIPEWRIGHT_HEARTBEAT_SECONDS", default=5.0)
PIPEWRIGHT_NODE_LOST_SECONDS = env.float("PIPEWRIGHT_NODE_LOST_SECONDS", default=30.0)
PIPEWRIGHT_REAPER_SECONDS = env.float("PIPEWRIGHT_REAPER_SECONDS", default=10.0)
# A node queued this long whose task was never picked up is sent again (its message may be lost).
PIPEWRIGHT_REQUEUE_SECONDS = env.float("PIPEWRIGHT_REQUEUE_SECONDS", default=300.0)
PIPEWRIGHT_LOG_TAIL_BYTES = env.int("PIPEWRIGHT_LOG_TAIL_BYTES", default=1024 * 1024)
PIPEWRIGHT_KEEP_WORK_DIRS = env.bool("PIPEWRIGHT_KEEP_WORK_DIRS", default=False)
# A container run's shared ${RUN_PATH} stays this long after the run ends (runs/workspaces.py).
PIPEWRIGHT_WORKSPACE_KEEP_SECONDS = env.float("PIPEWRIGHT_WORKSPACE_KEEP_SECONDS", default=86400.0)
# Local nodes are forked from a warm interpreter per worker (compute_backends/forkserver.py);
# off, each node starts a fresh `python main.py` (slower by the interpreter's start-up).
PIPEWRIGHT_FORK_NODES = env.bool("PIPEWRIGHT_FORK_NODES", default=True)
# Fernet keys for linked accounts and run secrets, newest first (docs/credentials.md);
# unset: one key generated into the data dir.
PIPEWRIGHT_CREDENTIALS_KEYS: list[str] = [
    key.strip() for key in (env_secret("PIPEWRIGHT_CREDENTIALS_KEYS") or "").split(",") if key.strip()
]
# Recurring runs: how often beat looks for schedules that came due (docs/engine.md), and the
# shortest interval a schedule may have.
PIPEWRIGHT_SCHEDULE_POLL_SECONDS = env.float("PIPEWRIGHT_SCHEDULE_POLL_SECONDS", default=5.0)
PIPEWRIGHT_MIN_SCHEDULE_INTERVAL_SECONDS = env.int("PIPEWRIGHT_MIN_SCHEDULE_INTERVAL_SECONDS", default=60)
# Git-backed pipeline repositories (editor/git_repos.py): how often the beat syncs them,
# how long one git command may take, and whether local paths / file:// URLs are allowed
# (off: they would let an editor read repositories on the server's own disk).
PIPEWRIGHT_GIT_SYNC_SECONDS = env.float("PIPEWRIGHT_GIT_SYNC_SECONDS", default=300.0)
PIPEWRIGHT_GIT_TIMEOUT_SECONDS = env.float("PIPEWRIGHT_GIT_TIMEOUT_SECONDS", default=120.0)
PIPEWRIGHT_GIT_ALLOW_LOCAL = env.bool("PIPEWRIGHT_GIT_ALLOW_LOCAL", default=False)

CELERY_BEAT_SCHEDULE = {
    "reap-lost-nodes": {"task": "runs.tasks.reap_lost_nodes", "schedule": PIPEWRIGHT_REAPER_SECONDS},
    "fire-recurring-runs": {
        "task": "runs.tasks.fire_recurring_runs",
        "schedule": PIPEWRIGHT_SCHEDULE_POLL_SECONDS,
        # A poll that waited longer than the next one is worth nothing: drop it.
        "options": {"expires": PIPEWRIGHT_SCHEDULE_POLL_SECONDS},
    },
    "sync-git-repositories": {
        "task": "editor.tasks.sync_git_repositories",
        "schedule": PIPEWRIGHT_GIT_SYNC_SECONDS,
        "options": {"expires": PIPEWRIGHT_GIT_SYNC_SECONDS},
    },
}

# --- REST API ---------------------------------------------------------------
REST_FRAMEWORK = {
    # Token first: DRF asks the first class for the `WWW-Authenticate` header, so a caller
    # without (valid) credentials gets 401 `WWW-Authenticate: Token`, not a 403 that reads
    # like "you lack the role" (docs/security.md, "Authorization"). Session requests are
    # unchanged, CSRF included.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    # DRF's three, with JSON nested too deep to decode answered 400 (pipewright/api.py).
    "DEFAULT_PARSER_CLASSES": [
        "pipewright.api.JSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.LimitOffsetPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_FILTER_BACKENDS": [],
    "EXCEPTION_HANDLER": "pipewright.api.exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Pipewright API",
    "DESCRIPTION": "Build, run and export ML and data pipelines.",
    "VERSION": "0.1.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "BackendKindEnum": "credentials.models.LinkedAccount.KIND_CHOICES",
        "OperationKindEnum": "editor.choices.OperationKind",
        "RunStateEnum": "runs.choices.RunState",
        "NodeStateEnum": "runs.choices.NodeState",
        "RoleEnum": "editor.choices.Role",
        "TriggerKindEnum": "runs.models.schedules.TriggerKind",
    },
}

# --- security (production sets these through the environment) --------------
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=False)
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=False)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=False)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=False)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=False)
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
# Content-Security-Policy of every response (pipewright/security_headers.py, docs/security.md);
# set to "" to send none. React Flow and CodeMirror set inline styles, hence 'unsafe-inline'
# for styles only; 'self' in connect-src covers the live run stream's ws:/wss: on the same host.
_CSP = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self' 'unsafe-inline'",
    "img-src": "'self' data: blob:",
    "font-src": "'self' data:",
    "connect-src": "'self'",
    "worker-src": "'self'",
    "object-src": "'none'",
    "base-uri": "'self'",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
}
PIPEWRIGHT_CSP = env.str("PIPEWRIGHT_CSP", default="; ".join(f"{k} {v}" for k, v in _CSP.items()))
# The API docs (Swagger UI) load their scripts, styles and icon from drf-spectacular's CDN.
_SWAGGER_CDN = "https://cdn.jsdelivr.net"
_DOCS_CSP = {
    **_CSP,  # and nothing else: the start-up script comes from 'self' (pipewright/urls.py)
    "script-src": f"'self' {_SWAGGER_CDN}",
    "style-src": f"'self' 'unsafe-inline' {_SWAGGER_CDN}",
    "img-src": f"'self' data: blob: {_SWAGGER_CDN}",
}
# Paths whose responses get a policy of their own instead of PIPEWRIGHT_CSP ("" for none).
PIPEWRIGHT_CSP_BY_PATH: dict[str, str] = {
    "/api/docs/": env.str(
        "PIPEWRIGHT_API_DOCS_CSP", default="; ".join(f"{k} {v}" for k, v in _DOCS_CSP.items())
    ),
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}
