"""Exact-match correctness and ANLS as Pixel-Reasoner's eval does them: a line-for-line port of
src/shared/eval/answer-extraction.ts and scoring.ts (which record each rule, the math-verify 0.7.0
behaviour it reproduces and its source lines), checked against resources/test-vectors/scoring.json."""
import re

# ---------------------------------------------------------------- answer-extraction.ts


def last_boxed(text):
    at = text.rfind("\\boxed")
    if at < 0:
        return None
    return boxed_content_at(text, at)


def boxed_content_at(text, at):
    i = at + len("\\boxed")
    while i < len(text) and text[i] == " ":
        i += 1
    if i >= len(text) or text[i] != "{":
        # `\boxed 5` form: up to the next whitespace or `$`
        m = re.match(r"^\s*([^\s$]+)", text[at + len("\\boxed"):])
        return m.group(1) if m else None
    depth = 0
    for j in range(i, len(text)):
        c = text[j]
        if c == "{":
            depth += 1
        elif c == "}":
            depth -= 1
            if depth == 0:
                return text[i + 1:j]
    return None  # unbalanced: no answer


def answer_candidates(solution):
    out = []
    if "\\boxed" in solution:
        out.append(("boxed", solution[solution.rindex("\\boxed"):].strip()))
    if "<answer>" in solution:
        m = re.search(r"<answer>(.*?)</answer>", solution)
        if m:
            out.append(("answer_tag", "\\boxed{" + m.group(1) + "}"))
    if "Answer:" in solution:
        out.append(("answer_colon", "\\boxed{" + solution.split("Answer:")[-1].strip() + "}"))
    out.append(("whole", solution))
    return out


def extract_boxed_content(text):
    results = []
    current = len(text)
    max_pos = len(text)
    last_boxed_start = None
    while True:
        boxed_idx = text.rfind("\\boxed", 0, current)
        fbox_idx = text.rfind("\\fbox", 0, current)
        if boxed_idx < 0 and fbox_idx < 0:
            break
        start = max(boxed_idx, fbox_idx)
        nxt = start + (6 if boxed_idx > fbox_idx else 5)
        while nxt < max_pos and text[nxt].isspace():
            nxt += 1
        if nxt >= max_pos:
            break
        if text[nxt] != "{":
            if not results:
                results.append(text[nxt:])
            break
        depth = 1
        end = -1
        for i in range(nxt + 1, max_pos):
            if text[i] == "{":
                depth += 1
            elif text[i] == "}":
                depth -= 1
                if depth == 0:
                    end = i
                    break
        if end < 0:
            if not results:
                results.append(text[nxt:])
            break
        if last_boxed_start is not None:
            between = text[end + 1:last_boxed_start]
            if not (len(between) < 70 and re.search(r"and|or|,|;", between)):
                break
        results.append(text[nxt + 1:end].strip())
        last_boxed_start = start
        max_pos = start
        current = start
    return text if not results else ",".join(reversed(results))


CURRENCY = "$€£¥₹₽₪₩₫฿₡₢₣₤₥₦₧₨₩₪₫₭₮₯₰₱₲₳₴₵₶₷₸₹₺₻₼₽₾₿"
NUMBER_RE = re.compile(
    r"(?:^|\s|=)(?:\*\*)?[" + re.escape(CURRENCY) + r"]?(?<!\d)(?:(-?[1-9]\d{0,2}(?:[ ,]\d{3})+)(\.\d+)?|(-?\d+)([.,]\d+)|(\.\d+)|(-?\d+))(\s*(?:%|[Pp]ercent|\s*[Pp]ercentage|\s*[Pp]ct))?"
)
EXPR_RE = re.compile(r"(?:^|\s|=)(?:\*\*)?(-?\(?-?\d[\d.\s+\-*×/^()÷]*[+\-*×/^()÷][\d.\s+\-*×/^()÷]+\)?)(?:\*\*)?(?:\.|,|:|\s|\)|\$|$)")


def number_of(m):
    integer = re.sub(r"[, ]", "", m.group(1) or m.group(3) or m.group(6) or "")
    decimal = (m.group(2) or m.group(4) or m.group(5) or "").replace(",", ".", 1)
    value = float((integer + "0" if integer in ("", "-") else integer) + decimal)
    return {"text": integer + decimal, "value": value / 100 if m.group(7) else value}


def math_verify_extract(text):
    opening = text.find("\\boxed{")
    closing = text.rfind("}")
    if opening >= 0 and closing > opening + len("\\boxed{"):
        boxed = extract_boxed_content(text[opening:closing + 1])
        if boxed.strip() != "":
            return {"text": boxed}
    best = None

    def consider(start, end, value):
        nonlocal best
        if best is None or end > best[0] or (end == best[0] and start < best[1]):
            best = (end, start, value)

    for m in NUMBER_RE.finditer(text):
        consider(m.start(), m.end(), number_of(m))
    for m in EXPR_RE.finditer(text):
        expr = m.group(1) or ""
        frac = re.match(r"^\s*(-?\d+(?:\.\d+)?)\s*/\s*(-?\d+(?:\.\d+)?)\s*$", expr)
        consider(m.start(), m.end(), {"text": expr, "value": float(frac.group(1)) / float(frac.group(2))} if frac else {"text": expr})
    return best[2] if best else None


# ---------------------------------------------------------------- scoring.ts


def normalize_answer(answer):
    return answer.replace("dfrac", "frac").replace("\\text", "").replace("\\varnothing", "\\emptyset").replace("minutes", "").replace("cm", "")


def canonical_text(s):
    t = s.strip()
    t = re.sub(r"^\$+|\$+$", "", t)
    t = re.sub(r"\\(mathrm|textbf|mathbf|operatorname)\{([^{}]*)\}", r"\2", t)
    t = re.sub(r"[{}]", "", t)
    t = re.sub(r"\\[,;!: ]", "", t)
    t = re.sub(r"\s+", "", t)
    while re.match(r"^\((?:[^()]|\([^()]*\))*\)$", t):
        t = t[1:-1]
    return t


def numeric_value(s):
    c = canonical_text(s)
    percent = re.search(r"(\\%|%)$", c) is not None
    t = re.sub(r"(\\%|%)$", "", c)
    scale = 0.01 if percent else 1
    frac = re.match(r"^(-?)\\frac\{(-?\d+(?:\.\d+)?)\}\{(-?\d+(?:\.\d+)?)\}$", re.sub(r"(\\%|%)$", "", re.sub(r"^\$+|\$+$", "", re.sub(r"\s+", "", s))))
    if frac:
        return (-1 if frac.group(1) == "-" else 1) * (float(frac.group(2)) / float(frac.group(3))) * scale
    slash = re.match(r"^(-?\d+(?:\.\d+)?)/(-?\d+(?:\.\d+)?)$", t)
    if slash:
        return (float(slash.group(1)) / float(slash.group(2))) * scale
    if re.match(r"^-?(\d{1,3}(,\d{3})+|\d+)(\.\d+)?$", t):
        return float(t.replace(",", "")) * scale
    return None


def value_of(e):
    return e["value"] if "value" in e else numeric_value(e["text"])


def equivalent(candidate, gold):
    a = value_of(candidate)
    b = value_of(gold)
    if a is not None and b is not None:
        return abs(a - b) <= 1e-6 * max(1, abs(b))
    if a is not None or b is not None:
        return False
    return canonical_text(candidate["text"]) == canonical_text(gold["text"])


def gold_variants(gold):
    if not isinstance(gold, list):
        return [gold.lower()]
    golds = [g.lower() for g in gold]
    percent = next((g for g in golds if "%" in g), None)
    if percent is not None:
        stripped = percent.replace("%", "")
        if stripped not in golds:
            golds.insert(0, stripped)
    return golds


def parsed_gold(g):
    ng = normalize_answer(g)
    return math_verify_extract(ng if "\\boxed" in ng else "\\boxed{" + ng + "}")


def gold_problem(gold):
    """Why a gold can never be scored correct, or None (scoring.ts goldProblem)."""
    golds = gold_variants(gold)
    if not golds:
        return "no gold answer"
    if all(parsed_gold(g) is None for g in golds):
        return "math-verify extracts nothing from the gold " + _js_json(gold)
    return None


def _js_json(v):
    import json
    return json.dumps(v, ensure_ascii=False, separators=(",", ":"))


def score_answer(solution, gold, reference_multi_span_slice=True):
    """-> (correct, matched_by) with matched_by in boxed, answer_tag, answer_colon, whole, multi_span, None."""
    sol = solution.lower()
    candidates = [(source, math_verify_extract(normalize_answer(text))) for source, text in answer_candidates(sol)]
    for g in gold_variants(gold):
        b = parsed_gold(g)
        if b is not None:
            for source, parsed in candidates:
                if parsed is not None and equivalent(parsed, b):
                    return True, source
        if "," in g:
            spans = [x.strip() for x in (g[len("\\boxed{"):-1] if reference_multi_span_slice else g).split(",")]
            at = sol.rfind("boxed")
            if at >= 0:
                tail = "\\" + sol[at:]
                if all(sp in tail for sp in spans):
                    return True, "multi_span"
    return False, None


def answer_unreadable(solution, gold):
    """scoring.ts answerUnreadable: the reference's correctness is -1 for this wrong answer."""
    if score_answer(solution, gold)[0]:
        return False
    golds = gold_variants(gold)
    if not golds or parsed_gold(golds[-1]) is None:
        return True
    return math_verify_extract(normalize_answer(solution.lower())) is None


# ---------------------------------------------------------------- ANLS (scoring.ts anls)


def levenshtein(a, b):
    prev = list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        cur = [i]
        for j in range(1, len(b) + 1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (0 if a[i - 1] == b[j - 1] else 1)))
        prev = cur
    return prev[len(b)]


def anls(prediction, golds, threshold=0.5):
    """Qwen-VL eval_mm/infographicsvqa_eval.py evaluate_method, per question."""
    if not golds:
        return 0.0
    values = []
    for answer in golds:
        gt_answer = " ".join(answer.strip().lower().split())
        det_answer = " ".join(prediction.strip().lower().split())
        dist = levenshtein(gt_answer, det_answer)
        length = max(len(answer.upper()), len(prediction.upper()))
        values.append(0.0 if length == 0 else float(dist) / float(length))
    question_result = 1 - min(values)
    if question_result < threshold:
        question_result = 0
    return question_result
