public class RecursivePalindrome {
    public static boolean palin(String s) {
        if (s.length() <= 1) {
            return true;
        }
        if (s.charAt(0) != s.charAt(s.length() - 1)) {
            return false;
        }
        return palin(s.substring(1, s.length() - 1));
    }

    public static void main(String[] args) {
        String[] tests = {"Racecar", "A man, a plan, a canal: Panama", "Java"};
        for (String t : tests) {
            String simple = t.toLowerCase().replaceAll("[^a-z0-9]", "");
            System.out.println(t + " -> " + palin(simple));
        }
    }
}
