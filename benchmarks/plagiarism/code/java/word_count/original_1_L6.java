import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Scanner;

public class Tally
{
    public static void main(String[] args)
    {
        Map<String, Integer> freq;
        String str;
        Scanner reader = new Scanner(System.in);
        System.out.print("Paste a text: ");
        str = reader.nextLine();
        reader.close();
        String[] toks = tokenize(str);
        freq = tally(toks);
        System.out.println("Distinct words: " + freq.size());
        List<Map.Entry<String, Integer>> best = mostCommon(freq, 5);
        for (int i = 0; i < best.size(); i += 1)
            System.out.println(best.get(i).getKey() + " " + best.get(i).getValue());
    }

    // the n most frequent words
    static List<Map.Entry<String, Integer>> mostCommon(Map<String, Integer> freq, int n)
    {
        List<Map.Entry<String, Integer>> list = new ArrayList<>(freq.entrySet());
        list.sort((p, q) -> q.getValue() - p.getValue());
        int size = list.size();
        return list.subList(0, n > size ? size : n);
    }

    static Map<String, Integer> tally(String[] toks)
    {
        Map<String, Integer> freq = new HashMap<>();
        int i = 0;
        while (i < toks.length)
        {
            String t = toks[i++];
            if (!t.isEmpty())
                freq.put(t, freq.containsKey(t) ? freq.get(t) + 1 : 1);
        }
        return freq;
    }

    // lower case, punctuation becomes a space
    static String[] tokenize(String str)
    {
        String tmp;
        tmp = str.toLowerCase().replaceAll("[^a-z0-9 ]", " ");
        return tmp.trim().split("\\s+");
    }
}
