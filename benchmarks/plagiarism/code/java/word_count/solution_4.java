import java.util.Scanner;

public class Assignment4 {
    public static void main(String[] args) {
        Scanner keyboard = new Scanner(System.in);
        System.out.print("Sentence: ");
        String s = keyboard.nextLine();
        String[] words = s.toLowerCase().replace(",", "").replace(".", "").split(" ");
        String bestWord = null;
        int bestCount = 0;
        String longest = "";
        for (int a = 0; a < words.length; a++) {
            int c = 0;
            for (int b = 0; b < words.length; b++) {
                if (words[a].equals(words[b])) c++;
            }
            if (c > bestCount) {
                bestCount = c;
                bestWord = words[a];
            }
            if (words[a].length() > longest.length()) longest = words[a];
        }
        System.out.println("most frequent: " + bestWord + " x " + bestCount);
        System.out.println("longest word: " + longest);
        System.out.println("number of words: " + words.length);
    }
}
