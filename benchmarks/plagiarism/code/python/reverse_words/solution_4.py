def reverse_string(s):
    if s == "":
        return s
    return reverse_string(s[1:]) + s[0]


line = input("Text: ")
stack = []
for word in line.split(" "):
    stack.append(word)
backwards_order = []
while stack:
    backwards_order.append(stack.pop())
print("Reversed word order:", " ".join(backwards_order))
print("Reversed text:", reverse_string(line))
