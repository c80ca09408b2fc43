package dev.webstack.system;

import java.net.ConnectException;
import java.sql.SQLException;
import java.sql.SQLNonTransientConnectionException;
import java.sql.SQLTransientConnectionException;

import jakarta.persistence.PersistenceException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import dev.webstack.routing.ClusterMembership;
import dev.webstack.routing.ReplicationMonitor;
import dev.webstack.routing.Route;
import dev.webstack.routing.RouteRecorder;

import org.springframework.dao.DataAccessException;
import org.springframework.dao.DataAccessResourceFailureException;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.transaction.CannotCreateTransactionException;
import org.springframework.transaction.TransactionException;
import org.springframework.web.bind.annotation.ControllerAdvice;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.servlet.ModelAndView;

/**
 * A database that cannot be reached is a 503 with a clear page (or a problem document for
 * API clients), never a stack trace or a hang: a write while the primary is down is
 * "read-only mode"; anything else is "temporarily unavailable". Both say when to retry.
 */
@ControllerAdvice
class DatabaseUnavailableAdvice {

	static final String RETRY_AFTER_SECONDS = "5";

	private final RouteRecorder routes;

	private final ReplicationMonitor replication;

	DatabaseUnavailableAdvice(RouteRecorder routes, ReplicationMonitor replication) {
		this.routes = routes;
		this.replication = replication;
	}

	@ExceptionHandler({ DataAccessException.class, TransactionException.class, PersistenceException.class })
	Object unavailable(HttpServletRequest request, HttpServletResponse response, Exception ex) throws Exception {
		if (!connectionFailure(ex)) {
			// Not an outage: a bug, which the error page answers with a plain 500.
			throw ex;
		}
		Route route = this.routes.current();
		if (route != null && route.target() == Route.Target.REPLICA) {
			// Later reads go to the primary; HAProxy retries this (idempotent) GET elsewhere.
			this.replication.replicaConnectionLost(ex.getMessage());
		}
		boolean write = !("GET".equals(request.getMethod()) || "HEAD".equals(request.getMethod()));
		String title = write ? "Read-only mode" : "Temporarily unavailable";
		String detail = write
				? "The primary database is unreachable, so nothing can be written just now. Reading still works; "
						+ "please try again in a moment. Nothing you sent was saved."
				: "The database cannot be reached just now. Please try again in a moment.";
		response.setHeader("Retry-After", RETRY_AFTER_SECONDS);
		String accept = request.getHeader("Accept");
		if (accept != null && accept.contains(MediaType.APPLICATION_JSON_VALUE) && !accept.contains("text/html")) {
			ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.SERVICE_UNAVAILABLE, detail);
			problem.setTitle(title);
			return ResponseEntity.status(HttpStatus.SERVICE_UNAVAILABLE)
				.contentType(MediaType.APPLICATION_PROBLEM_JSON)
				.body(problem);
		}
		ModelAndView page = new ModelAndView("error/unavailable");
		page.setStatus(HttpStatus.SERVICE_UNAVAILABLE);
		page.addObject("title", title);
		page.addObject("detail", detail);
		return page;
	}

	/** Whether a data access failure means a database could not be reached. */
	static boolean connectionFailure(Throwable ex) {
		for (Throwable t = ex; t != null; t = t.getCause()) {
			if (t instanceof CannotCreateTransactionException || t instanceof DataAccessResourceFailureException
					|| t instanceof SQLTransientConnectionException || t instanceof SQLNonTransientConnectionException
					|| t instanceof ConnectException
					|| t.getClass().getSimpleName().equals("CommunicationsException")
					|| (t instanceof SQLException sql && ClusterMembership.refusedOutsideThePrimaryComponent(sql))) {
				return true;
			}
		}
		return false;
	}

}
