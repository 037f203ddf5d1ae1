import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Scanner;

public class WordFrequency {
    // split the text into lower case words without punctuation
    static String[] getWords(String text) {
        text = text.toLowerCase().replaceAll("[^a-z0-9\\s]", " ");
        return text.trim().split("\\s+");
    }

    static Map<String, Integer> countWords(String[] words) {
        Map<String, Integer> counts = new HashMap<>();
        for (String word : words) {
            counts.put(word, counts.getOrDefault(word, 0) + 1);
        }
        return counts;
    }

    public static void main(String[] args) {
        Scanner in = new Scanner(System.in);
        System.out.print("Enter a text: ");
        String text = in.nextLine();
        Map<String, Integer> counts = countWords(getWords(text));
        System.out.println("Different words: " + counts.size());
        List<Map.Entry<String, Integer>> entries = new ArrayList<>(counts.entrySet());
        entries.sort((x, y) -> y.getValue().compareTo(x.getValue()));
        int n = Math.min(5, entries.size());
        for (int i = 0; i < n; i++) {
            System.out.println(entries.get(i).getKey() + " " + entries.get(i).getValue());
        }
        in.close();
    }
}
