package dev.webstack.security;

import java.util.Map;

import org.springframework.boot.actuate.info.Info;
import org.springframework.boot.actuate.info.InfoContributor;
import org.springframework.stereotype.Component;

/**
 * The ids (never the keys) of the cookie keys this app server signs with and accepts, in
 * {@code /actuator/info} on the management port: {@code ./stack rotate-keys} waits on it
 * until every app server accepts a new key before any signs with it.
 */
@Component
class SessionKeysInfoContributor implements InfoContributor {

	private final CookieSigner signer;

	SessionKeysInfoContributor(CookieSigner signer) {
		this.signer = signer;
	}

	@Override
	public void contribute(Info.Builder builder) {
		SessionKeys keys = this.signer.keys();
		builder.withDetail("sessionKeys", Map.of("signing", keys.signing().id(), "accepted", keys.acceptedIds()));
	}

}
