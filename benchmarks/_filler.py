"""Source-like filler text for the corpus: code, configuration, docs, notebooks, bundles and
binaries built from templates and random identifiers. Nothing here looks like a credential:
the filler carries no provider names and no random base62 runs, so every finding in a corpus
comes from a planted credential or a decoy.

Templates use ``%(slot)s`` fields; a slot is generated the first time a template asks for it
(``_Slots.__missing__``), so rendering a block costs only the slots it uses."""

from __future__ import annotations

import base64
import json
import random
import struct
import zlib
from collections.abc import Callable

WORDS = [
    "account", "action", "active", "address", "admin", "agent", "alert", "amount", "analytics",
    "api", "app", "apply", "archive", "array", "asset", "async", "audit", "author", "auto",
    "backup", "badge", "balance", "base", "batch", "billing", "block", "body", "bool", "bound",
    "branch", "browser", "buffer", "build", "bundle", "button", "cache", "calendar", "call",
    "callback", "camera", "campaign", "cancel", "canvas", "card", "cart", "catalog", "category",
    "cell", "channel", "chart", "check", "child", "chunk", "city", "class", "clean", "click",
    "client", "clock", "cluster", "code", "collection", "color", "column", "command", "comment",
    "commit", "common", "compare", "component", "config", "connect", "console", "contact",
    "container", "content", "context", "copy", "core", "count", "country", "coupon", "course",
    "cover", "create", "cursor", "customer", "dashboard", "data", "database", "date", "debug",
    "decode", "default", "delete", "delivery", "delta", "depth", "detail", "device", "dialog",
    "diff", "digest", "direct", "discount", "display", "document", "domain", "download", "draft",
    "driver", "duration", "edit", "editor", "element", "email", "embed", "empty", "encode",
    "engine", "entry", "error", "event", "export", "extension", "factor", "feature", "feed",
    "field", "file", "filter", "flag", "float", "folder", "font", "footer", "form", "format",
    "frame", "friend", "gateway", "geo", "graph", "grid", "group", "guard", "handle", "handler",
    "hash", "header", "health", "height", "helper", "history", "hook", "host", "image", "import",
    "inbox", "index", "info", "input", "insert", "install", "instance", "invoice", "item", "job",
    "label", "language", "layer", "layout", "lead", "level", "library", "limit", "line", "link",
    "list", "loader", "local", "locale", "location", "lock", "log", "login", "loss", "lookup",
    "main", "manager", "map", "marker", "match", "media", "member", "memory", "menu", "merge",
    "message", "meta", "method", "metric", "middleware", "mode", "model", "module", "monitor",
    "mount", "name", "network", "node", "note", "notify", "number", "object", "offset", "option",
    "order", "origin", "output", "owner", "package", "page", "panel", "param", "parent", "parse",
    "partner", "patch", "path", "payload", "payment", "peer", "pending", "period", "permission",
    "phone", "pipe", "pixel", "plan", "player", "plugin", "point", "policy", "poll", "pool",
    "popup", "port", "post", "preview", "price", "print", "priority", "process", "product",
    "profile", "progress", "project", "promise", "prompt", "provider", "proxy", "publish", "query",
    "queue", "quota", "random", "range", "rank", "rate", "reader", "record", "redirect",
    "reference", "region", "registry", "release", "remote", "render", "report", "request", "reset",
    "resolve", "resource", "response", "result", "retry", "review", "role", "root", "route", "row",
    "rule", "run", "sample", "scale", "schedule", "schema", "scope", "score", "screen", "script",
    "search", "section", "segment", "select", "sender", "sequence", "series", "server", "service",
    "session", "setting", "shape", "share", "shift", "shipping", "signal", "size", "slot",
    "snapshot", "socket", "sort", "source", "span", "spec", "stage", "state", "status", "step",
    "storage", "stream", "string", "style", "subject", "summary", "support", "switch", "sync",
    "table", "tag", "target", "task", "team", "template", "tenant", "text", "theme", "thread",
    "threshold", "ticket", "tile", "time", "timer", "title", "toggle", "tool", "topic", "total",
    "trace", "track", "transfer", "tree", "trigger", "type", "unit", "update", "upload", "usage",
    "user", "util", "validate", "value", "vendor", "version", "video", "view", "visit", "volume",
    "wallet", "watch", "weight", "widget", "window", "worker", "workflow", "workspace", "zone"
]

PY_MODULES = ["os", "sys", "json", "re", "time", "logging", "typing", "pathlib", "datetime",
              "collections", "itertools", "functools", "dataclasses", "asyncio", "subprocess",
              "requests", "numpy as np", "pandas as pd", "yaml", "click", "pytest", "hashlib",
              "uuid", "argparse", "contextlib", "enum", "math", "random", "shutil", "tempfile"]
JS_MODULES = ["react", "lodash", "axios", "express", "dayjs", "uuid", "zod", "redux",
              "react-router-dom", "classnames", "yup", "immer", "rxjs", "vue", "pinia"]
GO_MODULES = ["context", "encoding/json", "errors", "fmt", "io", "log", "net/http", "os",
              "sort", "strconv", "strings", "sync", "time", "github.com/gin-gonic/gin",
              "github.com/spf13/cobra", "go.uber.org/zap", "gorm.io/gorm"]
JAVA_IMPORTS = ["java.util.List", "java.util.Map", "java.util.HashMap", "java.util.ArrayList",
                "java.util.Optional", "java.time.Instant", "java.io.IOException",
                "org.slf4j.Logger", "org.slf4j.LoggerFactory",
                "org.springframework.stereotype.Service",
                "org.springframework.beans.factory.annotation.Autowired",
                "org.springframework.web.bind.annotation.GetMapping",
                "com.fasterxml.jackson.databind.ObjectMapper"]
EXCEPTIONS = ["ValueError", "RuntimeError", "KeyError", "TypeError", "LookupError"]
TLDS = ["com", "io", "net", "org", "dev", "cn"]


class Vocab:
    """Pools of identifiers, sentences and look-alike values, built once per corpus."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        w = WORDS
        ch = rng.choice
        self.snake = [f"{ch(w)}_{ch(w)}" if rng.random() < 0.7 else f"{ch(w)}_{ch(w)}_{ch(w)}"
                      for _ in range(3000)]
        self.camel = [s.split("_")[0] + "".join(p.title() for p in s.split("_")[1:])
                      for s in self.snake]
        self.pascal = ["".join(p.title() for p in s.split("_")) for s in self.snake]
        self.const = [s.upper() for s in self.snake]
        self.sentences = []
        for _ in range(2000):
            words = [ch(w) for _ in range(rng.randint(4, 13))]
            self.sentences.append(" ".join(words).capitalize() + ".")
        self.sha1 = [rng.randbytes(20).hex() for _ in range(400)]
        self.sha256 = [rng.randbytes(32).hex() for _ in range(200)]
        self.uuids = [_uuid(rng) for _ in range(400)]
        self.hosts = [f"{ch(w)}-{ch(w)}.{ch(w)}.{ch(TLDS)}" for _ in range(200)]


def _uuid(rng: random.Random) -> str:
    h = rng.randbytes(16).hex()
    return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-{'89ab'[rng.randrange(4)]}{h[17:20]}-{h[20:32]}"


class _Slots(dict):  # type: ignore[type-arg]
    def __init__(self, gen: dict[str, Callable[[], str]]) -> None:
        super().__init__()
        self._gen = gen

    def __missing__(self, key: str) -> str:
        gen = self._gen.get(key) or self._gen[key[:-1]]  # "v2" is a second "v"
        value = gen()
        self[key] = value
        return value


def slot_generators(v: Vocab) -> dict[str, Callable[[], str]]:
    rng = v.rng
    ch = rng.choice
    return {
        "f": lambda: ch(v.snake), "v": lambda: ch(v.snake), "C": lambda: ch(v.pascal),
        "m": lambda: ch(v.camel), "K": lambda: ch(v.const), "s": lambda: ch(v.sentences),
        "w": lambda: ch(WORDS), "W": lambda: ch(WORDS).title(),
        "n": lambda: str(rng.randint(2, 99)), "big": lambda: str(rng.randint(1000, 999999)),
        "fl": lambda: f"{rng.random() * 10:.3f}", "sha": lambda: ch(v.sha1),
        "sha256": lambda: ch(v.sha256), "uuid": lambda: ch(v.uuids),
        "host": lambda: ch(v.hosts), "port": lambda: str(ch([80, 443, 3000, 5432, 6379, 8080,
                                                                   8443, 9000, 9090])),
        "ver": lambda: f"{rng.randint(0, 9)}.{rng.randint(0, 30)}.{rng.randint(0, 20)}",
        "date": lambda: f"20{rng.randint(19, 25)}-{rng.randint(1, 12):02d}"
                        f"-{rng.randint(1, 28):02d}",
        "ts": lambda: f"20{rng.randint(19, 25)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
                      f"T{rng.randint(0, 23):02d}:{rng.randint(0, 59):02d}:{rng.randint(0, 59):02d}"
                      f".{rng.randint(0, 999):03d}Z",
        "ip": lambda: f"10.{rng.randint(0, 255)}.{rng.randint(0, 255)}.{rng.randint(1, 254)}",
        "email": lambda: f"{ch(WORDS)}.{ch(WORDS)}@{ch(v.hosts)}",
        "exc": lambda: ch(EXCEPTIONS), "hex8": lambda: rng.randbytes(4).hex(),
        "color": lambda: f"#{rng.randbytes(3).hex()}",
        "level": lambda: ch(["INFO", "INFO", "INFO", "DEBUG", "WARN", "ERROR"]),
        "ms": lambda: str(rng.randint(1, 2500)),
        "status": lambda: ch(["200", "200", "200", "201", "204", "304", "400", "404", "500"]),
        "verb": lambda: ch(["GET", "GET", "POST", "PUT", "DELETE", "PATCH"]),
    }


# -- templates -------------------------------------------------------------------------------

PY_BLOCKS = [
    '''

def %(f)s(%(v1)s, %(v2)s=None, *, %(v3)s=%(n)s):
    """%(s)s

    %(s2)s
    """
    %(v4)s = {}
    for %(v5)s in %(v1)s:
        if %(v2)s is not None and %(v5)s.%(f2)s != %(v2)s:
            continue
        %(v4)s.setdefault(%(v5)s.%(f3)s, []).append(%(v5)s)
    if len(%(v4)s) > %(v3)s:
        logger.warning("%(s3)s", len(%(v4)s))
    return {k: sorted(v, key=lambda x: x.%(f4)s) for k, v in %(v4)s.items()}
''',
    '''

class %(C)s(%(C2)s):
    """%(s)s"""

    %(K)s = %(n)s

    def __init__(self, %(v1)s, %(v2)s="%(w)s"):
        super().__init__()
        self.%(v1)s = %(v1)s
        self._%(v2)s = %(v2)s
        self._%(v3)s = None

    @property
    def %(f)s(self):
        # %(s2)s
        if self._%(v3)s is None:
            self._%(v3)s = self.%(v1)s.%(f2)s(self._%(v2)s)
        return self._%(v3)s

    def %(f3)s(self, %(v4)s):
        if not %(v4)s:
            raise %(exc)s(f"%(s3)s: {%(v4)s!r}")
        return [%(v5)s for %(v5)s in self.%(f)s if %(v5)s.%(f4)s == %(v4)s]
''',
    '''

@dataclass(frozen=True)
class %(C)s:
    """%(s)s"""

    %(v1)s: str
    %(v2)s: int = %(n)s
    %(v3)s: float = %(fl)s
    %(v4)s: list[str] = field(default_factory=list)

    def %(f)s(self) -> dict[str, object]:
        return {"%(w)s": self.%(v1)s, "%(w2)s": self.%(v2)s, "%(w3)s": list(self.%(v4)s)}
''',
    '''

async def %(f)s(session, %(v1)s: str, retries: int = %(n)s) -> dict:
    # %(s)s
    url = f"https://%(host)s/api/v%(n2)s/%(w)s/{%(v1)s}"
    for attempt in range(retries):
        try:
            async with session.get(url, timeout=%(n3)s) as resp:
                resp.raise_for_status()
                return await resp.json()
        except (asyncio.TimeoutError, OSError) as exc:
            logger.info("%(s2)s (attempt %%d): %%s", attempt, exc)
            await asyncio.sleep(2 ** attempt)
    raise %(exc)s("%(s3)s")
''',
    '''

def test_%(f)s(tmp_path):
    %(v1)s = %(C)s(tmp_path / "%(w)s.json", %(v2)s=%(n)s)
    %(v1)s.%(f2)s({"%(w2)s": %(n2)s, "%(w3)s": "%(w4)s"})
    assert %(v1)s.%(f3)s() == %(n2)s
    assert "%(w4)s" in %(v1)s.%(f4)s
    with pytest.raises(%(exc)s):
        %(v1)s.%(f2)s(None)
''',
    '''

def %(f)s(df: pd.DataFrame, %(v1)s: int = %(n)s) -> pd.DataFrame:
    """%(s)s"""
    df = df.dropna(subset=["%(w)s", "%(w2)s"]).copy()
    df["%(v2)s"] = df["%(w)s"].rolling(%(v1)s).mean()
    loss_history = []
    for epoch in range(%(n2)s):
        loss_value = float(np.mean((df["%(v2)s"] - df["%(w2)s"]) ** 2))
        loss_history.append(loss_value)
    df["%(v3)s"] = np.log1p(df["%(w2)s"].clip(lower=0))
    return df.groupby("%(w3)s").agg({"%(v2)s": "mean", "%(v3)s": "max"}).reset_index()
''',
    '''

%(K)s = {
    "%(w)s": %(n)s,
    "%(w2)s": "%(w3)s",
    "%(w4)s_%(w5)s": [%(n2)s, %(n3)s, %(n4)s],
    "checksum": "%(sha256)s",
    "revision": "%(sha)s",
}
%(K2)s = "%(uuid)s"  # %(s)s
''',
    '''

def main(argv=None):
    parser = argparse.ArgumentParser(description="%(s)s")
    parser.add_argument("--%(w)s", type=int, default=%(n)s)
    parser.add_argument("--%(w2)s-%(w3)s", default="%(w4)s")
    parser.add_argument("-v", "--verbose", action="store_true")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.DEBUG if args.verbose else logging.INFO)
    %(v1)s = %(f)s(args.%(w)s)
    print(json.dumps(%(v1)s, indent=2))
    return 0
''',
]

JS_BLOCKS = [
    '''

export function %(m)s(%(m2)s, options = {}) {
  // %(s)s
  const { %(m3)s = %(n)s, %(m4)s = '%(w)s' } = options;
  const result = %(m2)s
    .filter((item) => item.%(m5)s !== undefined && item.%(w2)s > %(m3)s)
    .map((item) => ({ ...item, %(w3)s: item.%(w3)s ?? %(m4)s }));
  return result.sort((a, b) => a.%(w4)s - b.%(w4)s);
}
''',
    '''

export class %(C)s extends %(C2)s {
  constructor(%(m)s, %(m2)s) {
    super(%(m)s);
    this.%(m2)s = %(m2)s;
    this.%(m3)s = new Map();
  }

  /**
   * %(s)s
   */
  async %(m4)s(%(m5)s) {
    if (this.%(m3)s.has(%(m5)s)) {
      return this.%(m3)s.get(%(m5)s);
    }
    const response = await fetch(`https://%(host)s/api/%(w)s/${%(m5)s}`);
    if (!response.ok) throw new Error(`%(s2)s ${response.status}`);
    const body = await response.json();
    this.%(m3)s.set(%(m5)s, body);
    return body;
  }
}
''',
    '''

const %(m)s = (%(m2)s) => {
  const [%(m3)s, set%(C)s] = useState(%(n)s);
  useEffect(() => {
    const timer = setInterval(() => set%(C)s((x) => x + 1), %(big)s);
    return () => clearInterval(timer);
  }, [%(m2)s.%(m4)s]);
  return (
    <div className="%(w)s-%(w2)s %(w3)s">
      <h2>{%(m2)s.%(w4)s}</h2>
      <p>%(s)s</p>
      <span>{%(m3)s}</span>
    </div>
  );
};
''',
    '''

router.%(verbl)s('/api/%(w)s/:%(m)s', async (req, res, next) => {
  try {
    const %(m2)s = await %(C)s.findById(req.params.%(m)s);
    if (!%(m2)s) {
      return res.status(404).json({ error: '%(s)s' });
    }
    res.json({ data: %(m2)s, %(w2)s: %(n)s });
  } catch (err) {
    logger.error('%(s2)s', err);
    next(err);
  }
});
''',
    '''

export const %(K)s = Object.freeze({
  %(w)s: %(n)s,
  %(w2)s: '%(w3)s',
  %(m)s: ['%(w4)s', '%(w5)s'],
  revision: '%(sha)s',
  requestId: '%(uuid)s',
});
''',
]

TS_BLOCKS = [
    '''

export interface %(C)s {
  %(m)s: string;
  %(m2)s?: number;
  %(m3)s: %(C2)s[];
  readonly %(m4)s: Date;
}

export type %(C3)s = Pick<%(C)s, '%(m)s' | '%(m2)s'> & { %(w)s: boolean };
''',
    '''

export async function %(m)s(%(m2)s: %(C)s, %(m3)s = %(n)s): Promise<%(C2)s[]> {
  // %(s)s
  const params = new URLSearchParams({ %(w)s: String(%(m3)s), %(w2)s: %(m2)s.%(m4)s });
  const res = await http.get<%(C2)s[]>(`/api/%(w3)s?${params}`);
  return res.data.filter((x) => x.%(m5)s !== null);
}
''',
]

JAVA_BLOCKS = [
    '''
    /**
     * %(s)s
     */
    public List<%(C)s> %(m)s(String %(m2)s, int %(m3)s) {
        List<%(C)s> %(m4)s = new ArrayList<>();
        for (%(C)s item : %(m5)sRepository.findAll()) {
            if (item.get%(C2)s().equals(%(m2)s) && item.get%(C3)s() > %(m3)s) {
                %(m4)s.add(item);
            }
        }
        log.debug("%(s2)s {}", %(m4)s.size());
        return %(m4)s;
    }
''',
    '''
    private String %(m)s;
    private int %(m2)s = %(n)s;

    public String get%(C)s() {
        return this.%(m)s;
    }

    public void set%(C)s(String %(m)s) {
        this.%(m)s = %(m)s;
    }
''',
    '''
    @GetMapping("/api/%(w)s/{id}")
    public ResponseEntity<%(C)s> %(m)s(@PathVariable("id") Long id) {
        // %(s)s
        return %(m2)sService.findById(id)
                .map(ResponseEntity::ok)
                .orElseGet(() -> ResponseEntity.notFound().build());
    }
''',
    '''
    public Optional<%(C)s> %(m)s(Map<String, Object> %(m2)s) throws IOException {
        try {
            Object raw = %(m2)s.getOrDefault("%(w)s", %(n)s);
            return Optional.of(objectMapper.convertValue(raw, %(C)s.class));
        } catch (IllegalArgumentException e) {
            log.warn("%(s)s", e);
            return Optional.empty();
        }
    }
''',
]

GO_BLOCKS = [
    '''

// %(Cf)s %(s)s
func %(Cf)s(ctx context.Context, %(m)s string, %(m2)s int) ([]%(C)s, error) {
	var out []%(C)s
	q := "SELECT %(w)s, %(w2)s FROM %(w3)s WHERE %(w4)s = $1 LIMIT $2"
	rows, err := db.QueryContext(ctx, q, %(m)s, %(m2)s)
	if err != nil {
		return nil, fmt.Errorf("%(w)s query: %%w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var item %(C)s
		if err := rows.Scan(&item.%(C2)s, &item.%(C3)s); err != nil {
			return nil, err
		}
		out = append(out, item)
	}
	return out, rows.Err()
}
''',
    '''

type %(C)s struct {
	%(C2)s string `json:"%(w)s"`
	%(C3)s int    `json:"%(w2)s,omitempty"`
	%(C4)s []byte `json:"-"`
	mu     sync.Mutex
}

func (x *%(C)s) %(C5)s(%(m)s string) error {
	x.mu.Lock()
	defer x.mu.Unlock()
	if %(m)s == "" {
		return errors.New("%(s)s")
	}
	x.%(C2)s = strings.TrimSpace(%(m)s)
	return nil
}
''',
    '''

func %(m)sHandler(w http.ResponseWriter, r *http.Request) {
	// %(s)s
	id := r.URL.Query().Get("%(w)s")
	if id == "" {
		http.Error(w, "missing %(w)s", http.StatusBadRequest)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(map[string]any{"%(w2)s": id, "%(w3)s": %(n)s})
}
''',
]

YAML_BLOCKS = [
    '''
%(w)s:
  enabled: true
  %(v)s: %(n)s
  %(v2)s: "%(w2)s"
  endpoints:
    - https://%(host)s:%(port)s/%(w3)s
    - https://%(host2)s/%(w4)s
  timeout_ms: %(big)s
''',
    '''
%(w)s_%(w2)s:
  image: registry.%(host)s/%(w3)s:%(ver)s
  restart: unless-stopped
  ports:
    - "%(port)s:%(port2)s"
  environment:
    LOG_LEVEL: %(level)s
    %(K)s: "%(n)s"
  depends_on:
    - %(w4)s
''',
    '''
# %(s)s
%(w)s:
  replicas: %(n)s
  resources:
    limits:
      cpu: "%(n2)s00m"
      memory: %(n3)sMi
  labels:
    app.kubernetes.io/name: %(w2)s-%(w3)s
    app.kubernetes.io/version: "%(ver)s"
''',
    '''
  - name: %(s)s
    run: |
      python -m pip install -r requirements.txt
      pytest -q tests/%(w)s
    env:
      %(K)s: "%(w2)s"
''',
]

MD_BLOCKS = [
    '''
## %(W)s %(w2)s

%(s)s %(s2)s %(s3)s

- `%(f)s()`: %(s4)s
- `%(f2)s()`: %(s5)s
- See [%(w3)s](https://%(host)s/docs/%(w3)s) for details.
''',
    '''
### %(W)s

```bash
pip install %(w)s-%(w2)s==%(ver)s
%(w)s %(w3)s --%(w4)s %(n)s
```

%(s)s %(s2)s
''',
    '''
| %(W)s | %(W2)s | %(W3)s |
|---|---|---|
| `%(w)s` | %(n)s | %(s)s |
| `%(w2)s` | %(n2)s | %(s2)s |
| `%(w3)s` | %(n3)s | %(s3)s |

%(s4)s
''',
]

HTML_BLOCKS = [
    '''
    <section class="%(w)s-%(w2)s container mx-auto px-%(n)s">
      <h2 class="text-xl font-semibold">%(W)s %(w3)s</h2>
      <p class="text-gray-600">%(s)s</p>
      <a href="/%(w4)s/%(w5)s" class="btn btn-primary">%(W2)s</a>
    </section>
''',
    '''
    <div id="%(w)s-%(hex8)s" class="card %(w2)s" data-%(w3)s="%(n)s">
      <img src="/static/img/%(w4)s.png" alt="%(s)s" width="%(n2)s0" />
      <ul>
        <li>%(s2)s</li>
        <li>%(s3)s</li>
      </ul>
    </div>
''',
]

CSS_BLOCKS = [
    '''
.%(w)s-%(w2)s {
  display: flex;
  margin: %(n)spx auto;
  color: %(color)s;
  border: 1px solid %(color2)s;
}
.%(w)s-%(w2)s__%(w3)s--%(w4)s:hover { background: %(color3)s; }
''',
    '''
@media (max-width: %(n)s0px) {
  .css-%(hex8)s, ._%(w)s_%(hex82)s { padding: %(n2)spx; font-size: 1.%(n3)srem; }
  .%(w2)s { grid-template-columns: repeat(%(n4)s, minmax(0, 1fr)); }
}
''',
]

PROPERTIES_BLOCKS = [
    '''
# %(s)s
%(w)s.%(w2)s.%(w3)s=%(n)s
%(w)s.%(w2)s.%(w4)s=%(w5)s
%(w)s.%(w6)s.enabled=true
''',
    '''
spring.datasource.url=jdbc:postgresql://%(host)s:5432/%(w)s
spring.datasource.hikari.maximum-pool-size=%(n)s
logging.level.%(w2)s=%(level)s
''',
]

SH_BLOCKS = [
    '''
# %(s)s
if [ -z "${%(K)s:-}" ]; then
  echo "%(w)s: %(K)s not set, using default" >&2
  %(K)s=%(n)s
fi
%(w2)s_dir="$(mktemp -d)"
trap 'rm -rf "$%(w2)s_dir"' EXIT
''',
    '''
%(f)s() {
  local %(v)s="$1"
  curl -fsSL "https://%(host)s/%(w)s/${%(v)s}" -o "/tmp/%(w2)s.json"
  jq '.%(w3)s' "/tmp/%(w2)s.json"
}
''',
]

TF_BLOCKS = [
    '''
resource "%(w)s_%(w2)s" "%(v)s" {
  name     = "%(w3)s-%(w4)s"
  size     = %(n)s
  tags = {
    team        = "%(w5)s"
    environment = "prod"
  }
}
''',
    '''
variable "%(v)s" {
  description = "%(s)s"
  type        = number
  default     = %(n)s
}
''',
]

LOG_BLOCKS = [
    "%(ts)s %(level)s [%(w)s-%(w2)s] request_id=%(uuid)s %(verb)s /api/%(w3)s/%(n)s "
    "status=%(status)s duration_ms=%(ms)s ip=%(ip)s\n",
    "%(ts)s %(level)s [%(w)s] %(s)s trace=%(sha)s\n",
    "%(ts)s %(level)s [worker-%(n)s] job %(uuid)s finished in %(ms)sms (%(w)s=%(big)s)\n",
]

BUNDLE_BLOCKS = [
    'function %(x)s(%(y)s,%(z)s){var %(q)s=%(y)s.%(m)s||{};return %(q)s.%(m2)s?%(z)s(%(q)s)'
    ':void 0}',
    'var %(x)s=%(y)s(%(n)s),%(z)s=%(y)s.n(%(x)s),%(q)s={%(m)s:"%(w)s",%(m2)s:%(n2)s,'
    '%(m3)s:!0}',
    '%(x)s.prototype.%(m)s=function(%(y)s){return this.%(m2)s.filter(function(%(z)s)'
    '{return %(z)s.%(w)s===%(y)s})}',
    'const %(x)s=async(%(y)s,%(z)s)=>{const %(q)s=await fetch("/api/%(w)s/"+%(y)s,'
    '{method:"%(verb)s",headers:{"Content-Type":"application/json"}});if(!%(q)s.ok)throw '
    'new Error("%(s)s");return %(q)s.json()}',
    '%(x)s.exports={%(m)s:function(){return"%(w)s-%(w2)s"},%(m2)s:[%(n)s,%(n2)s,%(n3)s],'
    'revision:"%(sha)s"}',
    'return(0,%(x)s.jsx)("div",{className:"%(w)s-%(w2)s %(w3)s",children:[(0,%(x)s.jsx)("h2",'
    '{children:%(y)s.%(m)s}),(0,%(x)s.jsx)("p",{children:"%(s)s"})]})',
]


class Filler:
    """Renders filler files and blocks for each category."""

    def __init__(self, rng: random.Random, vocab: Vocab) -> None:
        self.rng = rng
        self.v = vocab
        gens = slot_generators(vocab)
        letters = "abcdefghijklmnopqrstuvwxyz"
        gens.update({
            "x": lambda: rng.choice(letters) + rng.choice(letters + "0123456789_$"),
            "y": lambda: rng.choice(letters), "z": lambda: rng.choice(letters),
            "q": lambda: rng.choice(letters) + rng.choice(letters),
            "Cf": lambda: rng.choice(vocab.pascal),
            "verbl": lambda: rng.choice(["get", "post", "put", "delete"]),
        })
        self.gens = gens
        self.blocks: dict[str, list[str]] = {
            "py": PY_BLOCKS, "js": JS_BLOCKS, "ts": TS_BLOCKS + JS_BLOCKS[:2] + JS_BLOCKS[4:],
            "java": JAVA_BLOCKS, "go": GO_BLOCKS, "yaml": YAML_BLOCKS, "md": MD_BLOCKS,
            "html": HTML_BLOCKS, "css": CSS_BLOCKS, "properties": PROPERTIES_BLOCKS,
            "sh": SH_BLOCKS, "tf": TF_BLOCKS, "log": LOG_BLOCKS, "bundle": BUNDLE_BLOCKS,
        }

    def slots(self) -> _Slots:
        return _Slots(self.gens)

    def block(self, cat: str) -> str:
        return self.rng.choice(self.blocks[cat]) % self.slots()

    # -- headers and footers ---------------------------------------------------------------

    def header(self, cat: str) -> str:
        rng, s = self.rng, self.slots()
        if cat == "py":
            mods = rng.sample(PY_MODULES, rng.randint(3, 7))
            lines = [f'"""{s["s"]}"""', "", "from __future__ import annotations", ""]
            lines += [f"import {m}" for m in sorted(set(mods) | {"logging"})]
            lines += ["from dataclasses import dataclass, field", "",
                      "logger = logging.getLogger(__name__)", ""]
            return "\n".join(lines)
        if cat in ("js", "ts"):
            mods = rng.sample(JS_MODULES, rng.randint(2, 5))
            lines = [f"// {s['s']}"]
            lines += [f"import {self.rng.choice(self.v.camel)} from '{m}';" for m in mods]
            lines += [f"import {{ {s['m']}, {s['m2']} }} from './{s['w']}';",
                      "import { useState, useEffect } from 'react';", ""]
            return "\n".join(lines)
        if cat == "java":
            imports = rng.sample(JAVA_IMPORTS, rng.randint(4, 9))
            return (f"package com.{s['w']}.{s['w2']}.{s['w3']};\n\n"
                    + "".join(f"import {i};\n" for i in sorted(imports))
                    + f"\n/**\n * {s['s']}\n */\n@Service\npublic class {s['C']} {{\n\n"
                    f"    private static final Logger log = LoggerFactory.getLogger("
                    f"{s['C']}.class);\n")
        if cat == "go":
            mods = rng.sample(GO_MODULES, rng.randint(3, 7))
            return (f"// Package {s['w']} {s['s'].lower()}\npackage {s['w']}\n\nimport (\n"
                    + "".join(f'\t"{m}"\n' for m in sorted(mods)) + ")\n")
        if cat == "html":
            return (f'<!DOCTYPE html>\n<html lang="en">\n<head>\n  <meta charset="utf-8" />\n'
                    f"  <title>{s['W']} {s['w2']}</title>\n"
                    f'  <link rel="stylesheet" href="/static/css/{s["w3"]}.css" />\n'
                    "</head>\n<body>\n  <main>\n")
        if cat == "md":
            return f"# {s['W']} {s['w2']}\n\n{s['s']} {s['s2']}\n"
        if cat == "sh":
            return f"#!/usr/bin/env bash\n# {s['s']}\nset -euo pipefail\n"
        if cat == "yaml":
            return f"# {s['s']}\nversion: \"{s['n']}\"\n"
        if cat == "bundle":
            return f'/*! {s["w"]}-{s["w2"]} v{s["ver"]} | MIT */\n"use strict";'
        return ""

    def footer(self, cat: str) -> str:
        if cat == "java":
            return "}\n"
        if cat == "html":
            return "  </main>\n  <script src=\"/static/js/app.js\"></script>\n</body>\n</html>\n"
        if cat == "bundle":
            name = f"{self.rng.choice(WORDS)}.{self.rng.randbytes(4).hex()}"
            return f"\n//# sourceMappingURL={name}.js.map\n"
        return ""

    # -- whole documents -------------------------------------------------------------------

    def json_document(self, target: int) -> str:
        """An API fixture or data export: an array of records."""
        rng, v = self.rng, self.v
        keys = rng.sample(WORDS, 6)
        records = []
        size = 0
        while size < target:
            s = self.slots()
            rec = {"id": s["uuid"], keys[0]: s["s"], keys[1]: rng.randint(0, 10**6),
                   keys[2]: s["w"], keys[3]: rng.random() < 0.5, "created_at": s["ts"],
                   keys[4]: {"name": rng.choice(v.camel), "score": round(rng.random(), 4)},
                   keys[5]: [s["w2"], s["w3"]], "etag": s["sha"][:32]}
            text = json.dumps(rec)
            records.append(text)
            size += len(text) + 6
        return "[\n  " + ",\n  ".join(records) + "\n]\n"

    def png(self, n: int) -> bytes:
        """A PNG signature and IHDR chunk, then random bytes (an image's compressed data)."""
        w, h = self.rng.randint(16, 2048), self.rng.randint(16, 2048)
        ihdr = struct.pack(">IIBBBBB", w, h, 8, 6, 0, 0, 0)
        chunk = struct.pack(">I", len(ihdr)) + b"IHDR" + ihdr + struct.pack(
            ">I", zlib.crc32(b"IHDR" + ihdr))
        return b"\x89PNG\r\n\x1a\n" + chunk + self.rng.randbytes(max(0, n - 33))

    def data_uri(self, n: int = 600) -> str:
        return "data:image/png;base64," + base64.b64encode(self.png(n)).decode()

    def notebook_cells(self, target: int) -> list[dict[str, object]]:
        """Code and markdown cells, some with text and image outputs."""
        rng = self.rng
        cells: list[dict[str, object]] = []
        size = 0
        while size < target:
            r = rng.random()
            if r < 0.25:
                text = self.block("md")
                cell: dict[str, object] = {"cell_type": "markdown", "metadata": {},
                                           "source": _lines(text.strip("\n"))}
            else:
                code = self.block("py").strip("\n")
                outputs: list[dict[str, object]] = []
                if r > 0.85:
                    outputs.append({"output_type": "display_data", "metadata": {}, "data": {
                        "image/png": base64.b64encode(
                            self.png(rng.randint(2000, 30000))).decode(),
                        "text/plain": ["<Figure size 640x480 with 1 Axes>"]}})
                elif r > 0.6:
                    outputs.append({"output_type": "stream", "name": "stdout",
                                    "text": _lines("\n".join(self.block("log").strip()
                                                             for _ in range(rng.randint(2, 8))))})
                cell = {"cell_type": "code", "execution_count": len(cells) + 1,
                        "metadata": {}, "outputs": outputs, "source": _lines(code)}
            cells.append(cell)
            size += len(json.dumps(cell))
        return cells


def _lines(text: str) -> list[str]:
    parts = text.split("\n")
    return [p + "\n" for p in parts[:-1]] + [parts[-1]]


def notebook(cells: list[dict[str, object]]) -> str:
    doc = {"cells": cells, "metadata": {
        "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
        "language_info": {"name": "python", "version": "3.11.4"}},
        "nbformat": 4, "nbformat_minor": 5}
    return json.dumps(doc, indent=1) + "\n"
