;;; 70-disposition.clp -- the referral recommendation: the most severe level among the
;;; concerns; `incomplete` instead of caution/proceed while a red-flag question that
;;; applies to this person is open (unanswered or "don't know").
;;; Consumes: concern, open-question; host function concern-level.
;;; Produces: exactly one disposition fact; ask facts for the open red flags.

(defrule DISPOSITION::start-at-proceed
  "[A] With no concern at all, manual therapy may proceed (subject to the red-flag screen)."
  (not (disposition))
  =>
  (assert (disposition (level proceed))))

(defrule DISPOSITION::raise-to-concern-level
  "[A][I] The disposition is the most severe level any concern forces."
  ?d <- (disposition (level ?current))
  (concern (id ?id&:(more-severe (concern-level ?id) ?current)))
  =>
  (modify ?d (level (concern-level ?id))))

(defrule DISPOSITION::red-flags-not-cleared
  "[I] Nobody is cleared for treatment while a red-flag question is open."
  ?d <- (disposition (level caution|proceed))
  (exists (open-question (red-flag yes)))
  =>
  (modify ?d (level incomplete)))

(defrule DISPOSITION::ask-open-red-flags
  "[I] List the open red-flag questions, unless an emergency is already established."
  (disposition (level ~emergency))
  (open-question (id ?q) (red-flag yes) (rank ?rank))
  =>
  (assert (ask (id ?q) (rank ?rank) (reason red-flag))))
