import Testing
@testable import Postgres

/// Error classification and redaction of row values in server details.
@Suite struct PostgresErrorTests {
    @Test func redactsRowValuesFromDetails() {
        #expect(PostgresError.redactValues("Key (email)=(a@b.c) already exists.") == "Key (email)=(…) already exists.")
        #expect(PostgresError.redactValues("Key (a, b)=(1, (2)) is not present in table \"t\".")
                == "Key (a, b)=(…) is not present in table \"t\".")
        #expect(PostgresError.redactValues("Failing row contains (1, secret, null).") == "Failing row contains (…).")
    }

    @Test func classifiesConnectionLoss() {
        #expect(PostgresError(.queryFailed, "x", sqlState: "57P01").isConnectionLoss)
        #expect(PostgresError(.queryFailed, "x", sqlState: "08006").isConnectionLoss)
        #expect(!PostgresError(.queryFailed, "x", sqlState: "23505").isConnectionLoss)
        #expect(PostgresError(.queryFailed, "x", sqlState: "23505").isUniqueViolation)
        #expect(PostgresError(.connectionLost, "x").isConnectionLoss)
    }

    @Test func descriptionNamesStatementAndState() {
        let error = PostgresError(.queryFailed, "duplicate key", sqlState: "23505", statement: "insert_job")
        #expect(error.description == "PostgreSQL queryFailed [23505] in statement 'insert_job': duplicate key")
    }
}
