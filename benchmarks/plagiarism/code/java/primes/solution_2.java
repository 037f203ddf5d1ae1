public class Sieve {
    public static void main(String[] args) {
        int n = 100;
        boolean[] composite = new boolean[n + 1];
        for (int p = 2; p * p <= n; p++) {
            if (!composite[p]) {
                for (int m = p * p; m <= n; m += p) {
                    composite[m] = true;
                }
            }
        }
        int count = 0;
        for (int k = 2; k <= n; k++) {
            if (!composite[k]) {
                System.out.print(k + " ");
                count++;
            }
        }
        System.out.println("\n" + count + " primes");
    }
}
