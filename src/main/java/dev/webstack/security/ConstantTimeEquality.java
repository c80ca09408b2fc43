package dev.webstack.security;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

import org.springframework.security.authentication.dao.DaoAuthenticationProvider;
import org.springframework.security.core.userdetails.User;
import org.springframework.security.crypto.password.PasswordEncoder;
import org.springframework.security.provisioning.InMemoryUserDetailsManager;

/**
 * Compares the password as given with the one held, in constant time, for the machines'
 * accounts (monitoring, Alertmanager's webhook). Their passwords are generated secrets of
 * 32 random characters, held in memory anyway: a slow hash such as bcrypt would cost tens
 * of milliseconds on every probe (each app server probes every peer every 2s) and protect
 * nothing that guessing could reach.
 */
final class ConstantTimeEquality implements PasswordEncoder {

	/**
	 * A machine's single account, checked in constant time.
	 * @param username its name
	 * @param password its password, read from its secret
	 * @param role its one role
	 * @return the provider that signs it in
	 */
	static DaoAuthenticationProvider account(String username, String password, String role) {
		InMemoryUserDetailsManager users = new InMemoryUserDetailsManager();
		users.createUser(User.withUsername(username).password(password).roles(role).build());
		DaoAuthenticationProvider provider = new DaoAuthenticationProvider(users);
		provider.setPasswordEncoder(new ConstantTimeEquality());
		return provider;
	}

	@Override
	public String encode(CharSequence raw) {
		return raw.toString();
	}

	@Override
	public boolean matches(CharSequence raw, String held) {
		return raw != null && held != null && MessageDigest.isEqual(raw.toString().getBytes(StandardCharsets.UTF_8),
				held.getBytes(StandardCharsets.UTF_8));
	}

}
