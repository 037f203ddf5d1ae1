import java.util.Scanner;
import java.util.TreeMap;

public class Concordance {
    static String clean(String raw) {
        StringBuilder sb = new StringBuilder();
        for (char ch : raw.toLowerCase().toCharArray())
            if (Character.isLetter(ch)) sb.append(ch);
        return sb.toString();
    }

    public static void main(String[] args) {
        Scanner sc = new Scanner(System.in);
        TreeMap<String, Integer> table = new TreeMap<>();
        while (sc.hasNextLine()) {
            String line = sc.nextLine();
            if (line.equals("END")) break;
            for (String raw : line.split(" ")) {
                String w = clean(raw);
                if (!w.isEmpty()) table.merge(w, 1, Integer::sum);
            }
        }
        for (String w : table.keySet()) System.out.println(w + " " + table.get(w));
    }
}
