// The credential shapes redaction looks for, in the order they are applied. Pure data and small pure functions;
// the engine that runs them is ./redact.ts.
//
// Where they come from:
// - Vendor token formats are ported from gitleaks' default rule set (github.com/gitleaks/gitleaks,
//   config/gitleaks.toml, MIT License, Copyright (c) 2019 Zachary Rice), rules: aws-access-token, github-pat,
//   github-fine-grained-pat, github-app-token, github-oauth, github-refresh-token, gitlab-pat (and gitlab-ptt,
//   -rrt, -deploy-token, -runner-authentication-token, -feed-token, -incoming-mail-token, -kubernetes-agent-token,
//   -oauth-app-secret, -scim-token, -feature-flag-client-token, -cicd-job-token), slack-bot-token,
//   slack-user-token, slack-app-token, slack-legacy-*, slack-config-access-token, slack-webhook-url,
//   stripe-access-token, openai-api-key, anthropic-api-key, anthropic-admin-api-key, gcp-api-key,
//   azure-ad-client-secret, npm-access-token, pypi-upload-token, twilio-api-key, sendgrid-api-token,
//   mailgun-private-api-token, heroku-api-key-v2, digitalocean-pat, -access-token, -refresh-token,
//   shopify-access-token, -custom-access-token, -private-app-access-token, -shared-secret, jwt, private-key,
//   age-secret-key, huggingface-access-token, databricks-api-token, linear-api-key, perplexity-api-key,
//   vault-service-token, grafana-cloud-api-token, grafana-service-account-token, sendinblue-api-token,
//   square-access-token, planetscale-*, rubygems-api-token, sentry-user-token, postman-api-token, doppler-api-token,
//   notion-api-token, artifactory-api-key, clojars-api-token, pulumi-api-token, readme-api-token, shippo-api-token,
//   1password-service-account-token,
//   curl-auth-user, curl-auth-header (as the Authorization header rule). Their prefixes are kept; their exact
//   lengths are loosened to minimums, so a token cut short by a parser or a truncated message is still caught.
// - Discord bot tokens and webhooks, Telegram bot tokens, Google OAuth client secrets (GOCSPX-) and access tokens
//   (ya29.): the vendors' documented formats.
// - The AWS secret access key by name and next to a key id, and the Azure client secret by name: secretlint's
//   @secretlint/secretlint-rule-aws and -azure (github.com/secretlint/secretlint, MIT). Connection strings with
//   passwords (postgres, mysql, mongodb+srv, redis, amqp, ...): secretlint's
//   -database-connection-string and -basicauth, generalised to any scheme://user:password@ URL.
// - Assignments (`.env` lines, JSON, YAML, code, headers, command-line flags) and prose ("the admin password is
//   ..."): written here, with gitleaks' generic-api-key rule as the model, but judged by what the value looks like
//   (see `assignedSecret` and `proseSecret`) rather than by entropy alone, so that short human passwords are caught
//   and code that names a secret (`password=os.environ[...]`, `api_key=api_key`) is left alone.

export interface Rule {
  kind: string
  /**
   * Lower-case strings of which one must occur in the lower-cased text for the rule to run: a cheap pre-filter, and
   * a sound one only while the expression cannot match without one of them. With the `i` flag and without `u`, a
   * character outside ASCII never matches an ASCII letter, so lower-casing the text finds every match; with `u`, "ſ"
   * would match "s" (/pass/iu matches "paſs"): such a rule needs keywords of its own or none.
   */
  keywords: readonly string[]
  /** A global regular expression. */
  regex: RegExp
  /**
   * The replacement of one match, given the match, its named groups, its offset and the whole text; null keeps
   * the match. Default: the whole match becomes the rule's marker.
   */
  replace?: (match: string, groups: Groups, offset: number, text: string) => string | null
  /** Instead of replacing each match of `regex` in the whole text: a scan of its own (the text → the text redacted). */
  apply?: (text: string) => string
}

export type Groups = Record<string, string | undefined>

/** What a credential is replaced with. */
export function marker(kind: string): string {
  return `[REDACTED:${kind}]`
}

// ---------------------------------------------------------------------------------------------------------------
// Multi-line secrets: private key blocks, removed whole (indented, in list items, with CRLF, or JSON-escaped).

/** A key block's first line: PEM (RSA, EC, DSA, OPENSSH, ENCRYPTED, PKCS#8) and PGP armour. */
const KEY_BEGIN = '-----BEGIN[ A-Z0-9_-]{0,100}PRIVATE KEY(?: BLOCK)?-----'
const KEY_END = '-----END[ A-Z0-9_-]{0,100}PRIVATE KEY(?: BLOCK)?-----'
/** A line break, real or escaped (a key inside a JSON string). */
const BREAK = '(?:\\r?\\n|\\\\r\\\\n|\\\\n)'
/** What may end a line of key material: a line break, the end of a quoted string, the end of the text. */
const LINE_END = '(?=[ \\t]*(?:[\\r\\n"\'`,}\\]]|\\\\[rn"]|$))'
/**
 * A block up to its end line. Without one (a key cut short, or longer than 20,000 characters), the first line and
 * the lines of key material after it (base64, armour headers such as "Proc-Type: 4,ENCRYPTED", blank lines;
 * indented, in list items), up to the first line that is something else. The first line must be followed by a
 * line break or by the body's base64: a first line quoted in prose ("look for -----BEGIN RSA PRIVATE KEY-----
 * headers") is left alone.
 */
export const PRIVATE_KEY_SOURCE =
  // The largest keys (PGP with subkeys) are a few KB; the bound keeps a mention of a first line and a mention of an
  // end line far below it from taking everything between.
  `${KEY_BEGIN}(?:[\\s\\S]{0,20000}?${KEY_END}|` +
  `(?=[ \\t]*(?:[\\r\\n]|\\\\[rn]|$)|[ \\t]+[A-Za-z0-9+/=]{20})(?:[ \\t]+[A-Za-z0-9+/=.]+)*[ \\t]*` +
  `(?:${BREAK}[ \\t]*(?:[-*>][ \\t]*)?(?:[A-Za-z0-9+/=.]+|[A-Za-z][A-Za-z0-9-]*:[^\\r\\n\\\\]*)?${LINE_END}[ \\t]*)*)`

function privateKeyRules(): Rule[] {
  return [
    {kind: 'private-key', keywords: ['-----begin'], regex: new RegExp(PRIVATE_KEY_SOURCE, 'g')},
    // PuTTY's .ppk format: header lines, then Public-Lines, Private-Lines, and a Private-MAC.
    {kind: 'private-key', keywords: ['putty-user-key-file-'], regex: /PuTTY-User-Key-File-\d+:[\s\S]*?(?:Private-MAC:[ \t]*[0-9a-fA-F]+|$)/g},
  ]
}

// ---------------------------------------------------------------------------------------------------------------
// Tokens recognisable by their prefix: one combined, case-sensitive expression (one pass over the text).

/** A kind and a regular expression source (non-capturing groups only). */
type TokenShape = readonly [kind: string, source: string]

const TOKEN_SHAPES: readonly TokenShape[] = [
  ['aws-access-key', '(?:A3T[A-Z0-9]|AKIA|ASIA|ABIA|ACCA)[A-Z0-9]{16}'],
  ['github-token', 'gh[pousr]_[A-Za-z0-9]{30,255}'],
  ['github-token', 'github_pat_[A-Za-z0-9_]{22,255}'],
  ['gitlab-token', 'gl(?:pat|ptt|dt|rt|ft|imt|agent|oas|soat|ffct|cbt)-[A-Za-z0-9_.-]{20,300}'],
  ['gitlab-token', 'GR1348941[A-Za-z0-9_-]{20,}'],
  ['slack-token', 'xox[abposre]-[A-Za-z0-9-]{10,}'],
  ['slack-token', 'xoxe\\.xox[bp]-\\d-[A-Za-z0-9]{20,}'],
  ['slack-token', 'xapp-\\d-[A-Za-z0-9]+-\\d+-[A-Za-z0-9]+'],
  ['slack-webhook', '(?:https?://)?hooks\\.slack\\.com/(?:services|workflows|triggers)/[A-Za-z0-9+/_-]{16,}'],
  ['discord-webhook', 'https://(?:ptb\\.|canary\\.)?discord(?:app)?\\.com/api/webhooks/\\d+/[A-Za-z0-9_-]{20,}'],
  ['stripe-key', '(?:sk|rk)_(?:live|test|prod)_[A-Za-z0-9]{10,247}'],
  ['stripe-key', 'whsec_[A-Za-z0-9+/=]{24,}'],
  ['anthropic-key', 'sk-ant-(?:api|admin|sid)\\d\\d-[A-Za-z0-9_-]{20,}'],
  ['openai-key', 'sk-(?:proj|svcacct|admin)-[A-Za-z0-9_-]{20,}'],
  ['openai-key', 'sk-[A-Za-z0-9]{20}T3BlbkFJ[A-Za-z0-9]{20}'],
  // Other "sk-" keys (OpenAI's older ones, DeepSeek, ...): long, without dashes, with a digit ("sk-learn" stays).
  ['api-key', 'sk-(?=[A-Za-z]{0,47}[0-9])[A-Za-z0-9]{32,}'],
  ['google-api-key', 'AIza[0-9A-Za-z_-]{35}'],
  ['google-oauth', 'GOCSPX-[A-Za-z0-9_-]{24,}'],
  ['google-oauth', 'ya29\\.[0-9A-Za-z_-]{20,}'],
  ['azure-client-secret', '[a-zA-Z0-9_~.]{3}\\dQ~[a-zA-Z0-9_~.-]{31,34}'],
  ['npm-token', 'npm_[A-Za-z0-9]{36}'],
  ['pypi-token', 'pypi-AgE[A-Za-z0-9_-]{50,}'],
  ['twilio-key', 'SK[0-9a-fA-F]{32}'],
  ['sendgrid-key', 'SG\\.[A-Za-z0-9_-]{16,32}\\.[A-Za-z0-9_-]{16,64}'],
  ['mailgun-key', 'key-[0-9a-f]{32}'],
  ['heroku-key', 'HRKU-[A-Za-z0-9_-]{20,}'],
  ['digitalocean-token', 'do[opr]_v1_[a-f0-9]{64}'],
  ['shopify-token', 'shp(?:at|ca|pa|ss)_[a-fA-F0-9]{32}'],
  ['telegram-token', '\\d{5,16}:AA[A-Za-z0-9_-]{31,35}'],
  ['jwt', 'eyJ[A-Za-z0-9_-]{5,}\\.eyJ[A-Za-z0-9_-]{5,}\\.[A-Za-z0-9_-]*'],
  ['age-secret-key', 'AGE-SECRET-KEY-1[QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L]{58}'],
  ['huggingface-token', '(?:hf|api_org)_[A-Za-z]{34}'],
  ['databricks-token', 'dapi[a-f0-9]{32}(?:-\\d)?'],
  ['linear-key', 'lin_api_[A-Za-z0-9]{40}'],
  ['perplexity-key', 'pplx-[A-Za-z0-9]{48}'],
  ['vault-token', 'hv[sb]\\.[A-Za-z0-9_-]{90,}'],
  ['grafana-token', 'glc_[A-Za-z0-9+/]{32,400}={0,3}'],
  ['grafana-token', 'glsa_[A-Za-z0-9]{32}_[A-Fa-f0-9]{8}'],
  ['brevo-key', 'xkeysib-[a-f0-9]{64}-[A-Za-z0-9]{16}'],
  ['square-token', 'sq0(?:atp|csp)-[A-Za-z0-9_-]{22,}'],
  ['planetscale-token', 'pscale_(?:tkn|oauth|pw)_[A-Za-z0-9_.=-]{32,64}'],
  ['rubygems-key', 'rubygems_[a-f0-9]{48}'],
  ['sentry-token', 'sntry[us]_[A-Za-z0-9+/=_]{60,}'],
  ['postman-key', 'PMAK-[a-f0-9]{24}-[a-f0-9]{34}'],
  ['doppler-token', 'dp\\.(?:pt|st|sa|ct|scim|audit)\\.[A-Za-z0-9]{40,44}'],
  ['notion-token', 'ntn_[0-9]{11}[A-Za-z0-9]{35}'],
  ['artifactory-key', 'AKCp[A-Za-z0-9]{69}'],
  ['clojars-token', 'CLOJARS_[a-z0-9]{60}'],
  ['pulumi-token', 'pul-[a-f0-9]{40}'],
  ['readme-key', 'rdme_[a-z0-9]{70}'],
  ['shippo-token', 'shippo_(?:live|test)_[a-fA-F0-9]{40}'],
  ['1password-token', 'ops_eyJ[A-Za-z0-9+/]{100,}={0,3}'],
]

/** The combined expression: each shape in a named group g<index>, between word boundaries. */
let tokens: RegExp | undefined

function tokensExpression(): RegExp {
  tokens ??= new RegExp(`(?<![A-Za-z0-9])(?:${TOKEN_SHAPES.map(([, source], index) => `(?<g${index}>${source})`).join('|')})(?![A-Za-z0-9])`, 'g')
  return tokens
}

function tokenKind(groups: Groups): string {
  for (let index = 0; index < TOKEN_SHAPES.length; index++) if (groups[`g${index}`] !== undefined) return TOKEN_SHAPES[index]![0]
  return 'token'
}

/**
 * A literal every shape above holds (most start with it). V8 finds an alternation of literals fast, where the
 * combined expression, tried at every position, costs ten times more; so the combined expression runs only on the
 * run of token characters around each literal found.
 */
let tokenTriggers: RegExp | undefined

function tokenTriggersExpression(): RegExp {
  tokenTriggers ??= new RegExp(
    [
      'AKIA',
      'ASIA',
      'ABIA',
      'ACCA',
      'A3T',
      'gh',
      'github_pat_',
      'gl',
      'GR1348941',
      'xox',
      'xapp-',
      'hooks.slack.com',
      'discord',
      'sk_',
      'rk_',
      'whsec_',
      'sk-',
      'AIza',
      'GOCSPX-',
      'ya29.',
      'Q~',
      'npm_',
      'pypi-',
      'SK',
      'SG.',
      'key-',
      'HRKU-',
      '_v1_',
      'shp',
      'eyJ',
      'AGE-SECRET-KEY-1',
      'hf_',
      'api_org_',
      'dapi',
      'lin_api_',
      'pplx-',
      'hvs.',
      'hvb.',
      'xkeysib-',
      'sq0',
      'pscale_',
      'rubygems_',
      'sntry',
      'PMAK-',
      'dp.',
      'ntn_',
      'AKCp',
      'CLOJARS_',
      'pul-',
      'rdme_',
      'shippo_',
      ':AA',
    ]
      .map((literal) => literal.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
      .join('|'),
    'g',
  )
  return tokenTriggers
}

/** Characters tokens are made of (letters, digits, _ . ~ : + / = % -): a run of them is where a token can be. */
function isTokenChar(code: number): boolean {
  return (
    (code >= 48 && code <= 58) ||
    (code >= 65 && code <= 90) ||
    (code >= 97 && code <= 122) ||
    code === 95 ||
    code === 46 ||
    code === 126 ||
    code === 43 ||
    code === 47 ||
    code === 61 ||
    code === 37 ||
    code === 45
  )
}

function redactTokens(text: string): string {
  const TOKEN_TRIGGERS = tokenTriggersExpression()
  const TOKENS = tokensExpression()
  TOKEN_TRIGGERS.lastIndex = 0
  let found = TOKEN_TRIGGERS.exec(text)
  if (found === null) return text
  let out = ''
  let done = 0
  while (found !== null) {
    let start = found.index
    let end = start + found[0].length
    while (start > done && isTokenChar(text.charCodeAt(start - 1))) start--
    while (end < text.length && isTokenChar(text.charCodeAt(end))) end++
    TOKENS.lastIndex = 0
    out += text.slice(done, start) + text.slice(start, end).replace(TOKENS, (...args: unknown[]) => marker(tokenKind(args[args.length - 1] as Groups)))
    done = end
    TOKEN_TRIGGERS.lastIndex = end
    found = TOKEN_TRIGGERS.exec(text)
  }
  return out + text.slice(done)
}

// ---------------------------------------------------------------------------------------------------------------
// Values: is this value a credential, or code, a placeholder, or a word of prose?

/** Values that are words of configuration or code, not secrets (compared in lower case). */
const NOT_SECRETS = /* @__PURE__ */ new Set([
  'none',
  'null',
  'nil',
  'undefined',
  'true',
  'false',
  'yes',
  'no',
  'on',
  'off',
  'required',
  'optional',
  'empty',
  'unset',
  'default',
  'string',
  'str',
  'number',
  'int',
  'integer',
  'bool',
  'boolean',
  'any',
  'unknown',
  'object',
  'bytes',
  'text',
  'hidden',
  'masked',
  'redacted',
  'read',
  'write',
  'tbd',
  'todo',
  'n/a',
  'env',
  'secret',
  'secrets',
  'password',
  'token',
  'example',
  'placeholder',
  'changeme',
  'dummy',
  'sample',
  'is',
  'was',
  'are',
  'the',
  'a',
  'an',
  'in',
  'from',
  'see',
  'same',
  'set',
  'here',
  'below',
  'above',
  'needed',
  'missing',
  'invalid',
  'expired',
  'valid',
  // code: the start of an expression, not a value
  'new',
  'await',
  'async',
  'function',
  'lambda',
  'this',
  'self',
  'require',
  'import',
  'return',
  'yield',
  'typeof',
  'const',
  'let',
  'var',
  'def',
  'fn',
  'static',
])

/** Passwords that stand for one in an example URL ("https://user:pass@host"). */
const EXAMPLE_PASSWORDS = /* @__PURE__ */ new Set(['pass', 'password', 'passwd', 'pwd', 'secret', 'changeme'])

/** Words a name of a setting that holds a secret ends with ("DB_PASSWORD", "clientSecret", "x-api-key"). */
const WORD_SECRET = /pass(?:word|wd|phrase|code)?|pwd|secret|token|key|auth|cred/i

/** A placeholder or a reference to a value kept elsewhere: "${DB_PASSWORD}", "<token>", "{{ vault }}", "****". */
function isPlaceholder(value: string): boolean {
  return (
    /^(?:\$|%[A-Za-z_]+%|<[^>]*>?$|\{\{|\{[\w.]*\}$|%[-+ #0]*\d*[sdrvq]$|%\(\w+\)[sdr]$|\[REDACTED|\*+$|x{3,}$|X{3,}$|\.{3}|\u2026|\?+$|-+$|_+$)/.test(value) ||
    /^(?:\/|~\/|\.\.?\/|[A-Za-z]:\\)/.test(value) || // paths (PWD=/home/me, key_file: ~/.ssh/id)
    /\.{3}|\u2026/.test(value) || // elided in an example ("ghp_..."); \u2026: the bundles stay ASCII (scripts/build.mjs)
    // words that say what the value is rather than being it ("Password used to generate key", 'top secret')
    (/\s/.test(value.trim()) && WORD_SECRET.test(value)) ||
    /^(?:your|my|the|some|enter|insert|replace)[_-]/i.test(value) ||
    NOT_SECRETS.has(value.toLowerCase())
  )
}

/**
 * Code that names a secret instead of holding one: a dotted reference (`os.environ`, `var.db_password`), a call or an
 * index (`getenv(`, `env["X"]`), or an identifier that says what it holds (`api_key`, `newPassword`, `SESSION_SECRET`).
 */
function isCodeReference(value: string): boolean {
  if (/^[A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*)+(?:[([!?]|$)/.test(value)) return true
  if (/^[A-Za-z_$][\w$.]*[([]/.test(value)) return true
  return (
    /^[A-Za-z_$][\w$]*$/.test(value) &&
    WORD_SECRET.test(value) &&
    (/[_$]|[a-z][A-Z]/.test(value) || /^[A-Z_]+$/.test(value) || NOT_SECRETS.has(value.toLowerCase()) || /^(?:pass|pwd|key|auth|creds?|pw)$/i.test(value))
  )
}

/** A value that looks generated: 8+ characters with letters and digits, or 16+ mixing cases or symbols. */
function looksGenerated(value: string): boolean {
  if (value.length < 8 || /\s/.test(value)) return false
  const letters = /[A-Za-z]/.test(value)
  if (letters && /[0-9]/.test(value)) return true
  return value.length >= 16 && /[a-z]/.test(value) && (/[A-Z]/.test(value) || /[^A-Za-z0-9]/.test(value))
}

/** A value that looks like a password someone chose: 6+ characters, letters, and a digit or a symbol. */
function looksLikePassword(value: string): boolean {
  if (value.length < 6 || !/[A-Za-z]/.test(value) || !/[0-9!@#$%^&*+=~?|]/.test(value)) return false
  if (/^\d+(?:\.\d+)?(?:[a-z%]{1,4})?$/i.test(value)) return false // 24h, 500ms, 3.5x
  if (/^v?\d+(?:\.\d+)+/.test(value)) return false // versions
  if (/^[/~.]|:\/\//.test(value)) return false // paths and URLs
  return !isCodeReference(value)
}

/** Names that hold a password someone chose (a letters-only value counts); other names hold generated tokens. */
function isPasswordName(name: string): boolean {
  return /(?:pass(?:word|wd|phrase|code)?|pwd|secret)$/i.test(name) && !/^pass$/i.test(name)
}

// ---------------------------------------------------------------------------------------------------------------
// Named secrets: `NAME = value`, `"name": "value"`, `name: value`, `--name value`, headers.

/** The last word of a setting's name that says it holds a secret. `_key` alone counts only in UPPER_CASE names. */
const NAME_WORD =
  'pass(?:word|wd|phrase|code)?|pwd|secret(?:[_-]?(?:access[_-]?)?key)?|token|api[_-]?key|access[_-]?key|private[_-]?key|' +
  'signing[_-]?key|encryption[_-]?key|master[_-]?key|account[_-]?key|shared[_-]?access[_-]?key|license[_-]?key|' +
  'client[_-]?key|app[_-]?key|auth[_-]?key|consumer[_-]?key|session[_-]?key|credentials?|auth|[_-]key'

/**
 * `name<quote?><sep><value>`: the name's last word, an optional closing quote (escaped in JSON inside JSON), the
 * separator (=, :, :=, =>), and the value: quoted (", ', `, \") or bare. The rest of the name is read backwards
 * from the match by `nameBefore`. Made once, by redactionRules.
 */
function assignmentExpression(): RegExp {
  return new RegExp(
    // Led by the separator, with the name looked for behind it: V8 then tries the rest at = and : only.
    `(?<sep>=>|:=|=|:)(?<=(?<word>${NAME_WORD})(?<close>\\\\?["'\`]?)[ \\t]*(?:=>|:=|=|:))(?<pad>[ \\t]*)(?![=:>])` +
      `(?<value>\\\\"[^"\\n]*?\\\\"|"[^"\\n]*"|'[^'\\n]*'|\`[^\`\\n]*\`|[^\\s"'\`,;&]+)`,
    'gi',
  )
}

/** Characters of a setting's name: letters, digits, and _ . - (camelCase and SCREAMING_CASE alike). */
const NAME_CHAR = /[A-Za-z0-9_.-]/

/** The whole name that ends at `end` (its last word matched there), and the character before it. */
function nameBefore(text: string, end: number): {name: string; before: string} {
  let start = end
  while (start > 0 && start > end - 80 && NAME_CHAR.test(text[start - 1]!)) start--
  return {name: text.slice(start, end), before: start > 0 ? text[start - 1]! : ''}
}

/** What follows the value on its line (up to 40 characters). */
function restOfLine(text: string, from: number): string {
  const end = text.indexOf('\n', from)
  return text.slice(from, end < 0 ? Math.min(text.length, from + 40) : Math.min(end, from + 40))
}

/**
 * Where the credential is inside `raw`, the value assigned to `name` with `sep`, or null when it is none. Quoted
 * values of password names are credentials whatever their length ("password": "kiwi"); bare ones too when they
 * look like a password, or when they are the whole value of a setting: `DB_PASSWORD=hunter` ending its shell word,
 * YAML's `password: hunter` ending its line. Token and key names need a value that looks generated.
 */
function assignedSecret(name: string, sep: string, raw: string, after: string): {start: number; end: number} | null {
  const open = raw.startsWith('\\"') ? 2 : /^["'`]/.test(raw) ? 1 : 0
  let value = open > 0 ? raw.slice(open, raw.length - open) : raw
  let rest = after
  if (open === 0) {
    // A bare value ends before sentence punctuation and closing brackets (of JSON, code, prose), unless it opened one.
    const cut = /[.,;:?)\]}]+$/.exec(value)?.[0] ?? ''
    if (cut !== '' && !/[([{]/.test(value)) {
      value = value.slice(0, value.length - cut.length)
      rest = cut + after
    }
  }
  if (value === '' || isPlaceholder(value)) return null
  if (open === 0 && isCodeReference(value)) return null
  let secret: boolean
  if (!isPasswordName(name)) secret = looksGenerated(value)
  else if (open > 0 || looksLikePassword(value) || looksGenerated(value)) secret = true
  // `DB_PASSWORD=hunter` (a shell word: no space around =) or `password = hunter` ending its line; not code such
  // as `password = new Password(...)`.
  // The end of an enclosing string counts as the end of the line: "DB_PASSWORD=hunter" in JSON, in code.
  else if (sep.includes('=')) secret = /^(?:[ \t]*\r?$|\\?["'`])/.test(rest) || (sep === '=' && /^[ \t]/.test(rest))
  else secret = /^(?:[ \t]*(?:#.*)?\r?$|\\?["'`])/.test(rest)
  return secret ? {start: open, end: open + value.length} : null
}

const ASSIGNMENT_RULE: Omit<Rule, 'regex'> = {
  kind: 'secret',
  // Every name word above holds one of these.
  keywords: ['pass', 'pwd', 'secret', 'token', 'key', 'credential', 'auth'],
  replace: (match, groups, offset, text) => {
    const word = groups.word!
    // The match starts at the separator; the name ends before the closing quote and the spaces.
    let end = offset
    while (end > 0 && (text[end - 1] === ' ' || text[end - 1] === '\t')) end--
    end -= groups.close!.length
    const {name, before} = nameBefore(text, end)
    // `_key` alone is a secret's name only in SCREAMING_CASE (.env): `sort_key`, `cache_key` are not.
    if (/^[_-]key$/i.test(word) && !/^[A-Z][A-Z0-9_]*$/.test(name)) return null
    // Not the tail of a path or of a longer word ("arn:...:secret:prod/x", "/path/token: x"), but ".npmrc" keys.
    if ((before === ':' || before === '/') && !name.startsWith('_')) return null
    // Tokens that are not credentials: pagination cursors, idempotency keys, a model's token counts.
    if (/(?:next|page|continuation|pagination|idempotency|sync|cancellation|resume|cursor|client[_-]?request|max|num|total)[_-]?tokens?$/i.test(name))
      return null
    const value = groups.value!
    const valueAt = match.length - value.length
    const found = assignedSecret(name, groups.sep!, value, restOfLine(text, offset + match.length))
    if (!found) return null
    return `${match.slice(0, valueAt + found.start)}${marker('secret')}${match.slice(valueAt + found.end)}`
  },
}

// ---------------------------------------------------------------------------------------------------------------
// Prose: "the admin password is Winter2024!", "password: is hunter2", "the staging db password was s3cret!".

/** Made by redactionRules, once. */
function proseExpression(): RegExp {
  return new RegExp(
    '\\b(?<lead>(?:password|passphrase|passcode|passwd|pwd|secret(?:[ _-]key)?|api[ _-]?key|(?:access|auth|api|bearer|bot)[ _-]token|token)' +
      "(?:[ \\t]*:)?(?:[ \\t]+(?!(?:is|was|still|now)\\b)[\\w@.'-]+){0,4}?[ \\t]*" +
      '(?:\\b(?:is|was|remains|stays|became|becomes|still|now)\\b|[:=])(?:[ \\t]+(?:now|still|also|set to|changed to|reset to))?[ \\t]*)' +
      '(?<value>[`\'"]?[^\\s`\'"]+[`\'"]?)',
    'gi',
  )
}

const PROSE_RULE: Omit<Rule, 'regex'> = {
  kind: 'secret',
  // Every lead word above holds one of these.
  keywords: ['pass', 'pwd', 'secret', 'key', 'token'],
  replace: (match, groups) => {
    const raw = groups.value!
    const quote = /^[`'"]/.test(raw) ? 1 : 0
    let value = raw.slice(quote, raw.length - (quote && /[`'"]$/.test(raw) ? 1 : 0))
    value = value.replace(/[.,;:)\]]+$/, '')
    if (isPlaceholder(value) || !looksLikePassword(value)) return null
    const at = match.length - raw.length + quote
    return `${match.slice(0, at)}${marker('secret')}${match.slice(at + value.length)}`
  },
}

// ---------------------------------------------------------------------------------------------------------------
// The rules, in order. Earlier rules' markers are placeholders to the later ones, so nothing is redacted twice.

/** A credential-free AWS secret access key candidate: 40 characters of base64, mixed case. */
const AWS_SECRET_CANDIDATE = /(?<![A-Za-z0-9/+=])[A-Za-z0-9/+]{40}(?![A-Za-z0-9/+=])/g
const AWS_KEY_ID = /(?<![A-Za-z0-9])(?:A3T[A-Z0-9]|AKIA|ASIA|ABIA|ACCA)[A-Z0-9]{16}(?![A-Za-z0-9])/g
/** How far from a key id a bare secret access key is taken for its pair (a line or two). */
const AWS_PAIR_DISTANCE = 300

/** Whether `text` holds an AWS access key id. */
export function hasAwsKeyId(text: string): boolean {
  AWS_KEY_ID.lastIndex = 0
  return AWS_KEY_ID.test(text)
}

/** Replaces every candidate for an AWS secret access key (40 characters of base64, mixed case) in `text`. */
export function redactAwsSecretCandidates(text: string): string {
  AWS_SECRET_CANDIDATE.lastIndex = 0
  return text.replace(AWS_SECRET_CANDIDATE, (candidate) =>
    /[a-z]/.test(candidate) && /[A-Z]/.test(candidate) && /[0-9/+]/.test(candidate) ? marker('aws-secret-key') : candidate,
  )
}

function redactAwsPairs(text: string): string {
  AWS_KEY_ID.lastIndex = 0
  const ids = [...text.matchAll(AWS_KEY_ID)].map((match) => match.index)
  if (ids.length === 0) return text
  let out = text
  // From the last key id back, so earlier offsets stay right.
  for (const at of ids.reverse()) {
    const from = Math.max(0, at - AWS_PAIR_DISTANCE)
    const to = Math.min(out.length, at + 20 + AWS_PAIR_DISTANCE)
    out = out.slice(0, from) + redactAwsSecretCandidates(out.slice(from, to)) + out.slice(to)
  }
  return out
}

let rules: readonly Rule[] | undefined

/**
 * The rules, in order, made on first use: a bundle that never redacts (the edit hook's fast answer reads records, it
 * does not write them) neither compiles their expressions nor carries their code (esbuild drops a module whose top
 * level does nothing).
 */
export function redactionRules(): readonly Rule[] {
  rules ??= [
    ...privateKeyRules(),
    {
      // A bare 40-character secret next to an access key id ("AKIA... wJalr...", a credentials.csv row): by place,
      // since the secret has no prefix of its own. Runs before the key id itself is replaced.
      kind: 'aws-secret-key',
      keywords: ['a3t', 'akia', 'asia', 'abia', 'acca'],
      regex: AWS_SECRET_CANDIDATE,
      apply: redactAwsPairs,
    },
    {kind: 'token', keywords: [], regex: tokensExpression(), apply: redactTokens},
    {
      // Discord bot tokens have no prefix: three base64 parts, the first the bot's id. Only where Discord is named.
      kind: 'discord-token',
      keywords: ['discord'],
      regex: /(?<![A-Za-z0-9])[MNO][A-Za-z0-9_-]{23,27}\.[A-Za-z0-9_-]{6}\.[A-Za-z0-9_-]{27,40}(?![A-Za-z0-9])/g,
    },
    {
      // Credentials in a URL: scheme://user:password@host (connection strings, git remotes, proxies). The user stays.
      // Led by the literal "://"; the scheme before it is checked by the replacement.
      kind: 'url-password',
      keywords: ['://'],
      regex: /:\/\/(?<user>[^\s:/@'"<>]*):(?<password>[^\s@/'"<>]+)@/g,
      replace: (_match, groups, offset, text) => {
        if (!/(?:^|[^A-Za-z0-9+.-])[A-Za-z][A-Za-z0-9+.-]{0,30}$/.test(text.slice(Math.max(0, offset - 32), offset))) return null
        const password = groups.password!
        if (isPlaceholder(password) || EXAMPLE_PASSWORDS.has(password.toLowerCase())) return null
        return `://${groups.user}:${marker('url-password')}@`
      },
    },
    {
      // Azure shared access signatures: the sig= parameter of a SAS URL or connection string.
      kind: 'azure-sas',
      keywords: ['sig='],
      regex: /sig=(?<value>[A-Za-z0-9%/+=]{20,})/g,
      replace: (_match, _groups, offset, text) => (/[?&;]/.test(text[offset - 1] ?? '') ? `sig=${marker('azure-sas')}` : null),
    },
    {
      kind: 'authorization',
      keywords: ['authorization'],
      regex:
        /(?<prefix>\b(?:Proxy-)?Authorization["'`]?\s*[:=]\s*["'`]?(?:Bearer|Basic|Token|Bot|ApiKey|Api-Key|SSWS|Digest)\s+)(?<value>[A-Za-z0-9._~+/=:-]{8,})/gi,
      replace: (_match, groups) => (isPlaceholder(groups.value!) ? null : `${groups.prefix}${marker('authorization')}`),
    },
    {
      // A bearer token without its header ("curl ... Bearer eyJ...", "use Bearer 4f9a..."), when it looks generated.
      kind: 'authorization',
      keywords: ['bearer'],
      regex: /(?<prefix>\bBearer\s+)(?<value>[A-Za-z0-9._~+/-]{16,}=*)/g,
      replace: (_match, groups) => (looksGenerated(groups.value!) ? `${groups.prefix}${marker('authorization')}` : null),
    },
    {
      // HTTP Basic credentials: base64 of "user:password".
      kind: 'basic-auth',
      keywords: ['basic'],
      regex: /(?<prefix>\bBasic\s+)(?<value>[A-Za-z0-9+/]{8,}={0,2})(?![A-Za-z0-9+/=])/g,
      replace: (_match, groups) => (isBasicCredentials(groups.value!) ? `${groups.prefix}${marker('basic-auth')}` : null),
    },
    {
      // curl -u user:password, --user user:password (gitleaks' curl-auth-user).
      kind: 'basic-auth',
      keywords: ['curl'],
      regex: /(?<prefix>\bcurl\b[^\n]*?\s(?:-u|--user)(?:[ \t]+|=)["']?[^\s:"']{1,100}:)(?<value>[^\s"']+)/g,
      replace: (_match, groups) => (isPlaceholder(groups.value!) ? null : `${groups.prefix}${marker('basic-auth')}`),
    },
    {...ASSIGNMENT_RULE, regex: assignmentExpression()},
    {
      // Command-line flags with the value after a space: --password hunter2, --token abc123..., --api-key ...
      kind: 'secret',
      keywords: ['pass', 'token', 'key', 'secret'],
      regex: /--(?<prefix>(?:[a-z0-9]+-)*(?<name>password|passwd|pass|token|api-key|apikey|secret|client-secret)[ \t]+["']?)(?<value>[^\s"'-][^\s"']*)/gi,
      replace: (_match, groups, offset, text) => {
        if (/[\w-]/.test(text[offset - 1] ?? '')) return null
        const value = groups.value!
        if (isPlaceholder(value) || isCodeReference(value)) return null
        // The value is the next word, which in prose is often not one ("the --password flag"): it must look like one.
        return looksLikePassword(value) || looksGenerated(value) ? `--${groups.prefix}${marker('secret')}` : null
      },
    },
    {...PROSE_RULE, regex: proseExpression()},
  ]
  return rules
}

/** Base64 that decodes to printable "user:password". */
function isBasicCredentials(value: string): boolean {
  try {
    const decoded = atob(value)
    return /^[\x20-\x7e]{1,200}:[\x20-\x7e]{1,200}$/.test(decoded)
  } catch {
    return false
  }
}
