package io.strata.engine.backup;

import java.net.URI;
import java.util.Objects;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.http.apache.ApacheHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * Where a tenant's backups go: an S3-compatible endpoint, a bucket, and a key prefix that scopes
 * the chunks that may be shared (deduplicated) across the backups and volumes under it.
 *
 * @param endpoint the S3 endpoint, e.g. {@code http://127.0.0.1:8333}
 * @param region the signing region (S3-compatible servers accept any; AWS needs the bucket's)
 * @param bucket the bucket
 * @param prefix keys start with this (no leading or trailing slash; empty: the bucket's root)
 */
public record BackupTarget(URI endpoint, String region, String bucket, String prefix,
    String accessKey, String secretKey) {

  public BackupTarget {
    Objects.requireNonNull(endpoint, "endpoint");
    if (region == null || region.isBlank()) {
      throw new IllegalArgumentException("region: required (any name for an S3-compatible server)");
    }
    if (bucket == null || !bucket.matches("[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]")) {
      throw new IllegalArgumentException("bucket: '" + bucket + "' is not an S3 bucket name"
          + " (3-63 lower-case letters, digits, dots and dashes)");
    }
    prefix = prefix == null ? "" : prefix;
    if (prefix.startsWith("/") || prefix.endsWith("/")) {
      throw new IllegalArgumentException("prefix: '" + prefix + "' must not start or end with '/'");
    }
    if (accessKey == null || accessKey.isBlank() || secretKey == null || secretKey.isBlank()) {
      throw new IllegalArgumentException("accessKey and secretKey: required");
    }
  }

  /** The key of {@code path} under the prefix. */
  String key(String path) {
    return prefix.isEmpty() ? path : prefix + "/" + path;
  }

  /**
   * An S3 client for this target: path-style addressing (an S3-compatible server on an address,
   * not on bucket host names), and checksums only where S3 requires them: every chunk is already
   * named by its SHA-256 and checked against it when read back, and servers such as S3Proxy do not
   * all take the SDK's default trailing CRC checksums.
   */
  S3Client client() {
    return S3Client.builder()
        .endpointOverride(endpoint)
        .region(Region.of(region))
        .credentialsProvider(StaticCredentialsProvider.create(
            AwsBasicCredentials.create(accessKey, secretKey)))
        .forcePathStyle(true)
        .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
        .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED)
        .httpClientBuilder(ApacheHttpClient.builder())
        .build();
  }

  @Override
  public String toString() { // never the secret
    return "s3 " + endpoint + " bucket " + bucket + (prefix.isEmpty() ? "" : " prefix " + prefix);
  }
}
