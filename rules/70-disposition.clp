;;; 70-disposition.clp -- the referral recommendation: the most severe level among the
;;; concerns; `incomplete` instead of caution/proceed while a question that must be
;;; answered before anyone is cleared (a red flag, or a treatment-safety question outside
;;; the screen) applies to this person and is open (unanswered or "don't know").
;;; Consumes: concern, open-required; host function concern-level.
;;; Produces: exactly one disposition fact; ask-each facts for the open required questions.

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

(defrule DISPOSITION::required-not-cleared
  "[I][M] Nobody is cleared for treatment while a red-flag or treatment-safety question is
   open (principle P5 (kb/principles.json))."
  ?d <- (disposition (level caution|proceed))
  (open-required (red-flag $?red) (safety $?safety))
  (test (> (+ (length$ ?red) (length$ ?safety)) 0))
  =>
  (modify ?d (level incomplete)))

(defrule DISPOSITION::ask-open-red-flags
  "[I][M] List every open red-flag question, whatever the disposition (principle P6
   (kb/principles.json))."
  (open-required (red-flag $?ids&:(> (length$ ?ids) 0)))
  =>
  (assert (ask-each (ids ?ids) (reason red-flag))))

(defrule DISPOSITION::ask-open-safety
  "[I][M] List every open treatment-safety question outside the screen, whatever the
   disposition (principle P6 (kb/principles.json))."
  (open-required (safety $?ids&:(> (length$ ?ids) 0)))
  =>
  (assert (ask-each (ids ?ids) (reason safety))))
