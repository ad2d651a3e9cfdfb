;;; 70-disposition.clp -- the referral recommendation: the most severe level among the
;;; concerns; `incomplete` instead of caution/proceed while a question that must be
;;; answered before anyone is cleared (a red flag, or a treatment-safety question outside
;;; the screen) applies to this person and is open (unanswered or "don't know").
;;; Consumes: concern, open-required; host functions most-severe-concern-level, more-severe.
;;; Produces: exactly one disposition fact; ask-open facts for the open required questions.

(defrule DISPOSITION::decide
  "[A][I][M] The disposition is the most severe level any concern forces, proceed with no
   concern at all (subject to the red-flag screen); and nobody is cleared for treatment
   while a red-flag or treatment-safety question is open (principle P5
   (kb/principles.json)): incomplete instead of caution or proceed.  Decided once, when
   every concern is known (the phases run in order, and only CONCERNS concludes concerns)."
  (open-required (red-flag $?red) (safety $?safety))
  =>
  (bind ?level (most-severe-concern-level))
  (if (and (more-severe incomplete ?level)
           (> (+ (length$ ?red) (length$ ?safety)) 0))
   then (bind ?level incomplete))
  (assert (disposition (level ?level))))

(defrule DISPOSITION::ask-open-red-flags
  "[I][M] List every open red-flag question, whatever the disposition (principle P6
   (kb/principles.json))."
  (open-required (red-flag ? $?))
  =>
  (assert (ask-open (reason red-flag))))

(defrule DISPOSITION::ask-open-safety
  "[I][M] List every open treatment-safety question outside the screen, whatever the
   disposition (principle P6 (kb/principles.json))."
  (open-required (safety ? $?))
  =>
  (assert (ask-open (reason safety))))
