package com.aicallgo.coldcall.core.secrets;

/** Hands out the current secret values; implementations cache them. */
public interface SecretsProvider {
    /**
     * Returns the secret values.
     *
     * @throws SecretsUnavailableException when the store cannot be read
     */
    Secrets current();
}
