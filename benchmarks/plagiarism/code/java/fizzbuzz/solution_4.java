public class Exercise1 {
    private final int fizz;
    private final int buzz;

    public Exercise1(int fizz, int buzz) {
        this.fizz = fizz;
        this.buzz = buzz;
    }

    public String say(int x) {
        StringBuilder sb = new StringBuilder();
        if (x % fizz == 0) {
            sb.append("Fizz");
        }
        if (x % buzz == 0) {
            sb.append("Buzz");
        }
        return sb.length() == 0 ? Integer.toString(x) : sb.toString();
    }

    public static void main(String[] args) {
        Exercise1 game = new Exercise1(3, 5);
        for (int x = 1; x <= 100; x++) {
            System.out.println(game.say(x));
        }
    }
}
