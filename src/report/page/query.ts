/** The GraphQL query the report page sends (and the shape `npm run report` writes into its file). */
export const REPORT_QUERY = `query PrivacyReport($from: String, $to: String) {
  privacyReport(from: $from, to: $to) {
    from to days generatedAt suppressBelow
    accesses {
      requests entries
      byPurpose { purpose allowed partial denied total }
      byPurposeDay { day purpose allowed partial denied total }
      denialsByCode { code count }
      byRole { role actors accesses busiest }
      fieldsReadByCategory { category reads }
    }
    consents { byKey { key granted withdrawn } byDay { day granted withdrawn } }
    erasures { requested completed pending medianSecondsToComplete }
    corrections { status count }
    disposals { runs dryRuns byStatus { status count } items { rule data action runs records } }
    assets { byStatus { status count } byKindStatus { kind status count } sanitizedByMethod { method count } }
    integrity {
      status treeSize lastCheckpointAt lastCheckpointRoot lastVerificationAt lastVerificationOk
      lastVerificationTreeSize lastVerificationFailure verifications failedVerifications
    }
  }
}`;
