scores = [72, 88, 95, 61, 54, 79, 83]
n = len(scores)
mean = sum(scores) / n
variance = sum((s - mean) ** 2 for s in scores) / n
ordered = sorted(scores)
if n % 2 == 1:
    median = ordered[n // 2]
else:
    median = (ordered[n // 2 - 1] + ordered[n // 2]) / 2
print(f"mean {mean:.1f}, median {median}, std {variance ** 0.5:.2f}")
print("best", ordered[-1], "worst", ordered[0])
