import java.util.Scanner;

public class Vowels {
    public static boolean isVowel(char c) {
        c = Character.toLowerCase(c);
        return c == 'a' || c == 'e' || c == 'i' || c == 'o' || c == 'u';
    }

    public static int countVowels(String s) {
        int count = 0;
        for (int i = 0; i < s.length(); i++) {
            if (isVowel(s.charAt(i))) {
                count++;
            }
        }
        return count;
    }

    public static void main(String[] args) {
        Scanner sc = new Scanner(System.in);
        System.out.print("Enter a sentence: ");
        String s = sc.nextLine();
        System.out.println("The sentence has " + countVowels(s) + " vowels");
        String vowels = "aeiou";
        int[] counts = new int[5];
        String lower = s.toLowerCase();
        for (int i = 0; i < lower.length(); i++) {
            int index = vowels.indexOf(lower.charAt(i));
            if (index != -1) {
                counts[index]++;
            }
        }
        for (int i = 0; i < 5; i++) {
            System.out.println(vowels.charAt(i) + " = " + counts[i]);
        }
    }
}
