import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Scanner;

// Counts how often each word occurs in a text and shows the most common ones
public class WordCount {
    static String[] wordsOf(String text) {
        String cleaned = text.toLowerCase().replaceAll("[^a-z0-9 ]", " ");
        return cleaned.trim().split("\\s+");
    }

    static Map<String, Integer> countWords(String[] words) {
        Map<String, Integer> counts = new HashMap<>();
        for (String word : words) {
            if (counts.containsKey(word)) {
                counts.put(word, counts.get(word) + 1);
            } else {
                counts.put(word, 1);
            }
        }
        return counts;
    }

    static List<Map.Entry<String, Integer>> topWords(Map<String, Integer> counts, int n) {
        List<Map.Entry<String, Integer>> pairs = new ArrayList<>(counts.entrySet());
        pairs.sort((a, b) -> b.getValue() - a.getValue());
        return pairs.subList(0, Math.min(n, pairs.size()));
    }

    public static void main(String[] args) {
        Scanner in = new Scanner(System.in);
        System.out.print("Paste a text: ");
        String text = in.nextLine();
        Map<String, Integer> counts = countWords(wordsOf(text));
        System.out.println("Distinct words: " + counts.size());
        for (Map.Entry<String, Integer> e : topWords(counts, 5)) {
            System.out.println(e.getKey() + " " + e.getValue());
        }
    }
}
