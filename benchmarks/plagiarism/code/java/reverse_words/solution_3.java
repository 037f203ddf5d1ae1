public class InPlace {
    static void reverse(char[] chars, int i, int j) {
        while (i < j) {
            char tmp = chars[i];
            chars[i] = chars[j];
            chars[j] = tmp;
            i++;
            j--;
        }
    }

    static String reverseWords(String text) {
        char[] chars = text.toCharArray();
        reverse(chars, 0, chars.length - 1);
        int start = 0;
        for (int end = 0; end <= chars.length; end++) {
            if (end == chars.length || chars[end] == ' ') {
                reverse(chars, start, end - 1);
                start = end + 1;
            }
        }
        return new String(chars);
    }

    public static void main(String[] args) {
        System.out.println(reverseWords("the quick brown fox"));
        System.out.println(reverseWords(args.length > 0 ? args[0] : "hello world"));
    }
}
