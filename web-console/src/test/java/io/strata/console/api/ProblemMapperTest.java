package io.strata.console.api;

import static org.assertj.core.api.Assertions.assertThat;

import jakarta.ws.rs.core.Response;
import org.junit.jupiter.api.Test;

class ProblemMapperTest {

  @Test
  void problemDetailsKeepTheServersMessagesByField() {
    Response response = Response.status(400).entity("""
        {"type":"https://strata.io/problems/invalid-request","title":"Invalid request","status":400,
         "detail":"name: must be 1-63 lowercase letters","errors":[{"field":"create.body.name","message":"must be 1-63 lowercase letters"}],
         "extra":"ignored"}""").build();

    ApiProblem p = new ProblemMapper().toThrowable(response);

    assertThat(p.status()).isEqualTo(400);
    assertThat(p.detail()).isEqualTo("name: must be 1-63 lowercase letters");
    assertThat(p.fieldMessages()).containsEntry("name", "must be 1-63 lowercase letters");
  }

  @Test
  void aBodyThatIsNotProblemDetailsStillSaysWhatToTry() {
    ApiProblem p = new ProblemMapper().toThrowable(Response.status(412).entity("<html>").build());

    assertThat(p.status()).isEqualTo(412);
    assertThat(p.detail()).contains("Reload and try again");
  }
}
