// A webhook sender as the reference sender runs it: a Java HttpsURLConnection client limited to
// TLS 1.2 and the sender's cipher suites, trusting only the CA file it is given.
// Usage: java SenderClient.java URL CA_PEM SUITES(comma, empty = all 14) SECRET(empty = unsigned) [Header: value]...
// Reads the body from stdin; prints one JSON line: {ok,status,protocol,cipher,body,error,skipped}.
import java.io.*;
import java.net.*;
import java.nio.charset.StandardCharsets;
import java.security.*;
import java.security.cert.*;
import java.util.*;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import javax.net.ssl.*;

public class SenderClient {
  static final String[] SENDER_SUITES = {
    "TLS_RSA_WITH_AES_256_CBC_SHA256", "TLS_DHE_RSA_WITH_AES_256_CBC_SHA256", "TLS_DHE_DSS_WITH_AES_256_CBC_SHA256",
    "TLS_RSA_WITH_AES_128_CBC_SHA256", "TLS_DHE_RSA_WITH_AES_128_CBC_SHA256", "TLS_DHE_DSS_WITH_AES_128_CBC_SHA256",
    "TLS_DH_anon_WITH_AES_256_CBC_SHA256", "TLS_DH_anon_WITH_AES_128_CBC_SHA256", "TLS_DH_anon_WITH_AES_256_CBC_SHA",
    "TLS_DH_anon_WITH_AES_128_CBC_SHA", "SSL_DH_anon_WITH_DES_CBC_SHA", "TLS_RSA_WITH_NULL_SHA256",
    "TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384" };

  public static void main(String[] args) throws Exception {
    // The sender offers anonymous, NULL and TLS_RSA suites that a stock JDK disables: re-enable
    // them so this client offers exactly what the sender offers.
    Security.setProperty("jdk.tls.disabledAlgorithms", "SSLv3, RC4");
    String url = args[0], caFile = args[1];
    String[] wanted = args.length > 2 && !args[2].isEmpty() ? args[2].split(",") : SENDER_SUITES;
    String secret = args.length > 3 ? args[3] : "";
    byte[] body = System.in.readAllBytes();
    StringBuilder out = new StringBuilder("{");
    try {
      KeyStore ks = KeyStore.getInstance(KeyStore.getDefaultType());
      ks.load(null, null);
      int i = 0;
      try (InputStream in = new FileInputStream(caFile)) {
        for (java.security.cert.Certificate c : CertificateFactory.getInstance("X.509").generateCertificates(in)) ks.setCertificateEntry("ca" + (i++), c);
      }
      TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      tmf.init(ks);
      SSLContext ctx = SSLContext.getInstance("TLSv1.2");
      ctx.init(null, tmf.getTrustManagers(), null);
      Set<String> supported = new HashSet<>(Arrays.asList(ctx.getSupportedSSLParameters().getCipherSuites()));
      List<String> use = new ArrayList<>(), skipped = new ArrayList<>();
      for (String s : wanted) (supported.contains(s) ? use : skipped).add(s);
      out.append("\"skipped\":").append(jsonArray(skipped)).append(",");
      if (use.isEmpty()) throw new IllegalStateException("none of the requested suites is supported by this JDK");
      final String[] suites = use.toArray(new String[0]);
      SSLSocketFactory base = ctx.getSocketFactory();
      final String[] negotiated = new String[2];
      HttpsURLConnection conn = (HttpsURLConnection) new URL(url).openConnection();
      conn.setSSLSocketFactory(new Limited(base, suites));
      conn.setConnectTimeout(10000);
      conn.setReadTimeout(20000);
      conn.setRequestMethod("POST");
      conn.setDoOutput(true);
      conn.setRequestProperty("Content-Type", "application/json");
      conn.setRequestProperty("User-Agent", "tlsgate-test-sender/1 (Java)");
      for (int a = 4; a < args.length; a++) {
        int c = args[a].indexOf(':');
        conn.setRequestProperty(args[a].substring(0, c).trim(), args[a].substring(c + 1).trim());
      }
      if (!secret.isEmpty()) {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        conn.setRequestProperty("X-FS-Signature", Base64.getEncoder().encodeToString(mac.doFinal(body)));
      }
      conn.setFixedLengthStreamingMode(body.length);
      try (OutputStream os = conn.getOutputStream()) { os.write(body); }
      int status = conn.getResponseCode();
      // Read the suite before the body: after an error status the connection may be gone.
      String cipher;
      try { cipher = conn.getCipherSuite(); } catch (IllegalStateException e) { cipher = null; }
      InputStream es = status >= 400 ? conn.getErrorStream() : conn.getInputStream();
      String text = es == null ? "" : new String(es.readAllBytes(), StandardCharsets.UTF_8);
      out.append("\"ok\":true,\"status\":").append(status)
         .append(",\"cipher\":").append(json(cipher))
         .append(",\"protocol\":").append(json(Limited.lastProtocol))
         .append(",\"body\":").append(json(text)).append("}");
    } catch (Exception e) {
      out.append("\"ok\":false,\"error\":").append(json(e.getClass().getSimpleName() + ": " + e.getMessage())).append("}");
    }
    System.out.println(out);
  }

  /** Restricts every socket to TLS 1.2 and the given suites, as the sender does. */
  static class Limited extends SSLSocketFactory {
    static volatile String lastProtocol = null;
    final SSLSocketFactory base; final String[] suites;
    Limited(SSLSocketFactory base, String[] suites) { this.base = base; this.suites = suites; }
    Socket limit(Socket s) {
      SSLSocket ss = (SSLSocket) s;
      ss.setEnabledProtocols(new String[] {"TLSv1.2"});
      ss.setEnabledCipherSuites(suites);
      ss.addHandshakeCompletedListener(ev -> lastProtocol = ev.getSession().getProtocol());
      return ss;
    }
    public String[] getDefaultCipherSuites() { return suites; }
    public String[] getSupportedCipherSuites() { return suites; }
    public Socket createSocket(Socket s, String h, int p, boolean ac) throws IOException { return limit(base.createSocket(s, h, p, ac)); }
    public Socket createSocket(String h, int p) throws IOException { return limit(base.createSocket(h, p)); }
    public Socket createSocket(String h, int p, InetAddress la, int lp) throws IOException { return limit(base.createSocket(h, p, la, lp)); }
    public Socket createSocket(InetAddress h, int p) throws IOException { return limit(base.createSocket(h, p)); }
    public Socket createSocket(InetAddress h, int p, InetAddress la, int lp) throws IOException { return limit(base.createSocket(h, p, la, lp)); }
  }

  static String jsonArray(List<String> xs) {
    StringBuilder b = new StringBuilder("[");
    for (int i = 0; i < xs.size(); i++) b.append(i == 0 ? "" : ",").append(json(xs.get(i)));
    return b.append("]").toString();
  }

  static String json(String s) {
    if (s == null) return "null";
    StringBuilder b = new StringBuilder("\"");
    for (char c : s.toCharArray()) {
      if (c == '"' || c == '\\') b.append('\\').append(c);
      else if (c < 0x20) b.append(String.format("\\u%04x", (int) c));
      else b.append(c);
    }
    return b.append("\"").toString();
  }
}
