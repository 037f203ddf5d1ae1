public class SavingsAccount {
    private static int nextNumber = 1000;
    private final int number;
    private long cents;
    private final double rate;

    public SavingsAccount(double rate) {
        this.number = nextNumber++;
        this.rate = rate;
    }

    public void deposit(long amountInCents) {
        cents += amountInCents;
    }

    public void withdraw(long amountInCents) {
        if (amountInCents > cents) {
            throw new IllegalStateException("account " + number + " would be overdrawn");
        }
        cents -= amountInCents;
    }

    public void addInterest() {
        cents += Math.round(cents * rate);
    }

    public String toString() {
        return String.format("#%d: %.2f EUR", number, cents / 100.0);
    }

    public static void main(String[] args) {
        SavingsAccount s = new SavingsAccount(0.03);
        s.deposit(25000);
        s.addInterest();
        try {
            s.withdraw(1000000);
        } catch (IllegalStateException e) {
            System.out.println(e.getMessage());
        }
        System.out.println(s);
    }
}
