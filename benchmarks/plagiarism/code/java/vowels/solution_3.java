public class CountVowels {
    static int vowels(String word) {
        return word.replaceAll("[^aeiouAEIOU]", "").length();
    }

    public static void main(String[] args) {
        String[] words = {"programming", "java", "education", "rhythm"};
        int sum = 0;
        for (String w : words) {
            int v = vowels(w);
            sum += v;
            System.out.printf("%-12s %d%n", w, v);
        }
        System.out.println("All words: " + sum);
    }
}
