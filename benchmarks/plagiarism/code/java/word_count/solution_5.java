import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.Scanner;

public class WordCount {
    public static HashMap<String, Integer> countWords(String text) {
        HashMap<String, Integer> map = new HashMap<>();
        String[] words = text.toLowerCase().replaceAll("[^a-z ]", "").split(" ");
        for (String w : words) {
            if (w.length() == 0) {
                continue;
            }
            if (map.containsKey(w)) {
                map.put(w, map.get(w) + 1);
            } else {
                map.put(w, 1);
            }
        }
        return map;
    }

    public static void main(String[] args) {
        Scanner sc = new Scanner(System.in);
        System.out.println("Enter some text:");
        String text = sc.nextLine();
        HashMap<String, Integer> map = countWords(text);
        System.out.println("Number of different words: " + map.size());
        ArrayList<String> keys = new ArrayList<>(map.keySet());
        Collections.sort(keys, (a, b) -> map.get(b) - map.get(a));
        for (int i = 0; i < 5 && i < keys.size(); i++) {
            System.out.println(keys.get(i) + ": " + map.get(keys.get(i)));
        }
    }
}
