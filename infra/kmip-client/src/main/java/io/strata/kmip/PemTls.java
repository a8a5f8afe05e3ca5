package io.strata.kmip;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Arrays;
import java.util.Base64;
import java.util.Collection;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * The JDK's SSLContext from PEM files: the trusted CA certificate(s), the client's certificate
 * chain and its unencrypted PKCS#8 private key. Kept in memory only (no key store file).
 */
final class PemTls {

  private static final String KEY_BEGIN = "-----BEGIN PRIVATE KEY-----";
  private static final String KEY_END = "-----END PRIVATE KEY-----";

  static SSLContext context(KmipEndpoint endpoint) {
    try {
      char[] password = new char[0];
      KeyStore keys = KeyStore.getInstance("PKCS12");
      keys.load(null, null);
      Certificate[] chain = certificates(endpoint.clientCertificate()).toArray(Certificate[]::new);
      if (chain.length == 0) throw new KmipTlsException("no certificate in " + endpoint.clientCertificate(), null);
      keys.setKeyEntry("client", privateKey(endpoint.clientKey()), password, chain);
      KeyManagerFactory keyManagers = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
      keyManagers.init(keys, password);

      KeyStore trusted = KeyStore.getInstance("PKCS12");
      trusted.load(null, null);
      int n = 0;
      for (Certificate ca : certificates(endpoint.caCertificate())) trusted.setCertificateEntry("ca-" + n++, ca);
      if (n == 0) throw new KmipTlsException("no certificate in " + endpoint.caCertificate(), null);
      TrustManagerFactory trustManagers = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      trustManagers.init(trusted);

      SSLContext context = SSLContext.getInstance("TLS");
      context.init(keyManagers.getKeyManagers(), trustManagers.getTrustManagers(), null);
      return context;
    } catch (GeneralSecurityException | IOException e) {
      throw new KmipTlsException("cannot set up TLS for the KMIP server " + endpoint + ": " + e.getMessage(), e);
    }
  }

  private static Collection<? extends Certificate> certificates(Path pem) throws IOException, GeneralSecurityException {
    try (InputStream in = Files.newInputStream(pem)) {
      return CertificateFactory.getInstance("X.509").generateCertificates(in);
    }
  }

  /** The key's algorithm is not in PKCS#8's PEM armour: RSA is tried first, then EC. */
  private static PrivateKey privateKey(Path pem) throws IOException, GeneralSecurityException {
    String text = Files.readString(pem, StandardCharsets.US_ASCII);
    int begin = text.indexOf(KEY_BEGIN);
    int end = text.indexOf(KEY_END);
    if (begin < 0 || end < begin) {
      // Deliberately not showing the file's content: it is a private key.
      throw new KmipTlsException(pem + " holds no unencrypted PKCS#8 private key (" + KEY_BEGIN + ")", null);
    }
    byte[] der = Base64.getMimeDecoder().decode(text.substring(begin + KEY_BEGIN.length(), end));
    try {
      for (String algorithm : new String[] {"RSA", "EC", "Ed25519"}) {
        try {
          return KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(der));
        } catch (GeneralSecurityException notThisAlgorithm) {
          // next
        }
      }
      throw new KmipTlsException(pem + " holds a private key that is not RSA, EC or Ed25519", null);
    } finally {
      Arrays.fill(der, (byte) 0);
    }
  }

  private PemTls() {}
}
