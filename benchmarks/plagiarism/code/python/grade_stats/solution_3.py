import statistics


def load_scores(path):
    result = {}
    with open(path) as handle:
        for row in handle:
            name, score = row.strip().split(",")
            result[name] = int(score)
    return result


def describe(scores):
    values = list(scores.values())
    print("students:", len(values))
    print("mean:", statistics.mean(values))
    print("median:", statistics.median(values))
    top = max(scores, key=scores.get)
    print("top student:", top, scores[top])
    failing = sorted(name for name, s in scores.items() if s < 50)
    print("failing:", ", ".join(failing) or "nobody")


describe(load_scores("grades.csv"))
