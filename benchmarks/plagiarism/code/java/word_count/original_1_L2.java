import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Scanner;

public class Tally
{
    // lower case, punctuation becomes a space
    static String[] tokenize(String str)
    {
        String tmp = str.toLowerCase().replaceAll("[^a-z0-9 ]", " ");
        return tmp.trim().split("\\s+");
    }

    static Map<String, Integer> tally(String[] toks)
    {
        Map<String, Integer> freq = new HashMap<>();
        for (String t : toks)
        {
            if (freq.containsKey(t)) freq.put(t, freq.get(t) + 1);
            else freq.put(t, 1);
        }
        return freq;
    }

    // the n most frequent words
    static List<Map.Entry<String, Integer>> mostCommon(Map<String, Integer> freq, int n)
    {
        List<Map.Entry<String, Integer>> list = new ArrayList<>(freq.entrySet());
        list.sort((p, q) -> q.getValue() - p.getValue());
        return list.subList(0, Math.min(n, list.size()));
    }

    public static void main(String[] args)
    {
        Scanner reader = new Scanner(System.in);
        System.out.print("Paste a text: ");
        String str = reader.nextLine();
        Map<String, Integer> freq = tally(tokenize(str));
        System.out.println("Distinct words: " + freq.size());
        for (Map.Entry<String, Integer> entry : mostCommon(freq, 5))
            System.out.println(entry.getKey() + " " + entry.getValue());
    }
}
