"""How well a document matches a query: one formula, in Python and in PostgreSQL.

SQLite's window is scored in Python on the texts read back (`score`); PostgreSQL's
in the query that reads the window (`score_sql`), so that the texts never leave the
database. Both compute the same double-precision sums in the same order: a
document scores the same on either, and a window read partly one way and partly
the other (engines.PostgresEngine.window) is ranked as if read one way.
"""

# A document's parts (SearchDocument's columns), and how much a match weighs in each.
PARTS = ("title", "body", "answers", "extra")
# The title, and the rest (the serial; for staff the citizen's name and contacts): a
# match counted whole. The citizen's words and the answers: by density.
WEIGHTS = (4.0, 1.0, 0.5, 4.0)

# Texts count as this many characters before density lowers a match's weight.
LENGTH_UNIT = 400.0


def score(parts, terms) -> float:
    """How well a document matches (higher is better): each term's occurrences, in
    the title and the rest counted whole, in the texts by density, so that a short
    text about the query comes before a long one that mentions it once. A serial, a
    citizen's phone or name searched by staff finds their messages first, however
    long (a match in a contact field was once divided by the text's length, and a
    long message of the citizen came after every short one that mentioned the number)."""
    title, body, answers, extra = parts
    length = (len(body) + len(answers)) / LENGTH_UNIT + 1.0
    total = 0.0
    for term in terms:
        whole = title.count(term) * WEIGHTS[0] + extra.count(term) * WEIGHTS[3]
        total += whole + (body.count(term) * WEIGHTS[1] + answers.count(term) * WEIGHTS[2]) / length
    return total


def score_sql(alias: str, terms) -> tuple[str, list]:
    """`score` as a PostgreSQL expression over the columns of the documents `alias`:
    occurrences counted as Python's str.count counts them (replace() takes out the
    same non-overlapping runs, left to right), in float8 as Python's floats, summed
    in the same order. The terms are parameters.

    An occurrence count is the bytes replace() took out over the term's bytes: the
    same whole number as in characters, without char_length's walk of each text
    (a fifth of the cost of scoring the window's 200 documents, a third for two
    terms); the density's lengths stay in characters, as in Python."""
    columns = [f"{alias}.{c}" for c in PARTS]
    weights = [f"{w!r}::float8" for w in WEIGHTS]
    length = f"((char_length({columns[1]}) + char_length({columns[2]})) / {LENGTH_UNIT!r}::float8 + 1.0::float8)"
    total, params = "0.0::float8", []
    for term in terms:
        # A term's occurrences: how much shorter the text is without it, in terms.
        count = [f"((octet_length({c}) - octet_length(replace({c}, %s, ''))) / octet_length(%s))" for c in columns]
        whole = f"({count[0]} * {weights[0]} + {count[3]} * {weights[3]})"
        texts = f"({count[1]} * {weights[1]} + {count[2]} * {weights[2]})"
        total = f"({total} + ({whole} + {texts} / {length}))"
        params += [term] * 8
    return total, params
