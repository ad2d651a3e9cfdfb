;;; 00-base.clp -- modules, templates and helpers shared by every rule file.
;;;
;;; Consumes (asserted by the host, src/engine.c, from a validated case):
;;;   (session (mode intake|screen) (therapist yes|no))   in intake and screen; eval
;;;                  asserts none, and `check` lets only the dialogue's rules (module
;;;                  QUESTIONS, which the eval engine leaves out) read it
;;;   (finding (id ID) (value yes|INTEGER|CHOICE))   one per finding answered yes, or with
;;;                  a number or a choice.  A "no" or "don't know" is not a fact: "no X"
;;;                  is written (not (finding (id X) (value yes))), as the clinical table
;;;                  defines it (doc/knowledge.md), and `check` rejects a rule that waits for (value no|unknown).
;;;   (open-question (id ID) (required red-flag|safety|no) (who patient|therapist)
;;;                  (state unanswered|unknown) (rank N))      applicable questions not yet
;;;                  answered yes/no/value (a `when` still undecided counts as applicable);
;;;                  `required`: what must be answered before anyone is cleared -- the
;;;                  red flags, and the treatment-safety questions except in `screen`;
;;;                  asserted in intake and screen only (the QUESTIONS module's)
;;;   (open-required (red-flag ID...) (safety ID...))   one, in every mode: the applicable
;;;                  open questions that must be answered before anyone is cleared, in
;;;                  rank order (the `required` ones of open-question; one fact, so that a
;;;                  case with many unknowns asserts one fact, not one per question)
;;;
;;; Writing a finding pattern with alternatives: in a concern rule, one finding of several
;;; is written as an (or ...) of single-id patterns, one per line --
;;;     (or (finding (id ?site&low_back_pain) (value yes))
;;;         (finding (id ?site&groin_pain) (value yes)))
;;; -- not (finding (id ?site&low_back_pain|groin_pain) (value yes)): CLIPS 6.30 hashes a
;;; constant id in its pattern network but tests a|b|c against every finding fact (four
;;; such patterns, in four rules, cost 13% of eval's time: doc/performance.md).  Both mean
;;; the same and give the same result (the host merges a concern's because items in a
;;; fixed order).  CLIPS expands a rule's (or ...) into one rule per combination of
;;; alternatives (spinal-infection's 5 x 7 x 3 make 105); that costs memory and start-up
;;; time, not matching time.  The short form stays inside exists and logical, where no
;;; finding is bound; but "neither concern a nor b" is two hashed nots,
;;; (not (concern (id a))) (not (concern (id b))), not (not (concern (id a|b))), which
;;; CLIPS would test against every concern fact.
;;;
;;; A rule opens with a finding (or another positive pattern), not with a not: CLIPS
;;; primes a join that opens a rule with a negation at every reset, and takes the priming
;;; down again at the next, for every case whether the rule's findings are there or not
;;; (with 13 such rules, 6.6% of eval's instructions: doc/performance.md).  "When concern
;;; X does not hold" is therefore written after the rule's first finding, inside logical --
;;;     (logical (finding (id recent_trauma) (value yes))
;;;              (not (concern (id fracture))))
;;; -- which means the same: findings never change while the rules run.  And a rule
;;; opens with its rarest finding: age and sex, which nearly every case has, come after
;;; the findings that select the rule (a fact matching a rule's first pattern starts a
;;; partial match in every case that has it; the order of patterns changes nothing else).
;;; Produces (read back by the host):
;;;   (concern (id ID) (because ITEM...))     ITEM = finding id, or a comparison "age>=55"
;;;   (precaution (id ID))  (indication (id ID) (because ITEM...))
;;;   (disposition (level emergency|urgent|refer|incomplete|caution|proceed))
;;;   (ask (id ID) (rank N) (reason red-flag|safety|confirm|follow-up|pattern|history|...)
;;;        reason `confirm`: asked before an emergency is final (its answer can withdraw it)
;;;        (concerns CONCERN...))      a question the dialogue should ask; lowest rank
;;;                                    first; concerns = what its answer rules in or out
;;;   (ask-open (reason red-flag|safety))   an ask for each question of that slot of
;;;                                    open-required, ranked by its place in
;;;                                    kb/questions.json (one small fact for the many open
;;;                                    red flags of a case: an ask fact for each cost 3x
;;;                                    the time, and copying the ids into the fact 4%)
;;;   (pain-course (kind new|recent) (because ITEM...))     derived by COURSE (05-course.clp)
;;;   (psoas-not-quiet (because ITEM...))                   derived by COURSE
;;; Host functions (src/engine.c; the knowledge they use is the kb's, not C's):
;;;   (concern-level ID) -> the level kb/concerns.json gives concern ID, or the symbol
;;;                         unknown-concern (more severe than any level) if it has none
;;;   (severity LEVEL)   -> 1 for the most severe level (kb/levels.json lists them from the
;;;                         most severe; the loader checks the order) ... 6 for the
;;;                         least; 0 for a symbol that is no level (a typo can never lower
;;;                         a disposition)
;;;   (more-severe A B)  -> TRUE if level A is more severe than level B
;;;   (concern-at-least ID LEVEL) -> TRUE if concern ID's level is LEVEL or more severe:
;;;                         (not (more-severe LEVEL (concern-level ID))) in one call, for a
;;;                         test that runs against every concern fact
;;;   (most-severe-concern-level) -> the most severe level of any concern fact, proceed
;;;                         when there is none (unknown-concern for an id the kb lacks)
;;;
;;; Phases run as modules, in the order MAIN::start focuses them; no salience ladders.
;;; Every rule's comment opens with its clinical source key(s) in brackets, e.g.
;;; "[N156] ..."; the keys are those of kb/sources.json.  Rules never read or print.

(defmodule MAIN (export ?ALL))

(deftemplate MAIN::session
  (slot mode (type SYMBOL) (allowed-symbols intake screen))
  (slot therapist (type SYMBOL) (allowed-symbols no yes)))

(deftemplate MAIN::finding
  (slot id (type SYMBOL))
  (slot value))

(deftemplate MAIN::open-question
  (slot id (type SYMBOL))
  (slot required (type SYMBOL) (allowed-symbols no red-flag safety))
  (slot who (type SYMBOL) (allowed-symbols patient therapist))
  (slot state (type SYMBOL) (allowed-symbols unanswered unknown))
  (slot rank (type INTEGER)))

(deftemplate MAIN::open-required
  (multislot red-flag (type SYMBOL))
  (multislot safety (type SYMBOL)))

(deftemplate MAIN::ask-open
  (slot reason (type SYMBOL) (allowed-symbols red-flag safety)))

(deftemplate MAIN::pain-course
  "Derived by the COURSE module from symptom_weeks and pain_worsening (principle P3,
   kb/principles.json): `new` pain is symptom_weeks < 6, or symptom_weeks unknown,
   or pain_worsening; `recent` pain is the same without the unknown."
  (slot kind (type SYMBOL) (allowed-symbols new recent))
  (multislot because))

(deftemplate MAIN::psoas-not-quiet
  "Derived by COURSE: a finding that rules out every release indication (principle 4)."
  (multislot because))

(deftemplate MAIN::concern
  (slot id (type SYMBOL))
  (multislot because))

(deftemplate MAIN::precaution
  (slot id (type SYMBOL)))

(deftemplate MAIN::indication
  (slot id (type SYMBOL))
  (multislot because))

(deftemplate MAIN::disposition
  (slot level (type SYMBOL)
        (allowed-symbols emergency urgent refer incomplete caution proceed)))

(deftemplate MAIN::ask
  (slot id (type SYMBOL))
  (slot rank (type INTEGER))
  (slot reason (type SYMBOL))
  (multislot concerns (type SYMBOL)))

(defrule MAIN::start
  "[A] Run the phases in order: the course of the pain, concerns, precautions,
   disposition, indications, questions."
  =>
  (focus COURSE CONCERNS PRECAUTIONS DISPOSITION INDICATIONS QUESTIONS))

;;; An `age >= N` condition of an emergency or urgent trigger holds while the age is
;;; unknown (principle P1 (kb/principles.json)): such a rule matches
;;; (not (finding (id age) (value ?a&:(< ?a N)))) and explains itself with this item.
(deffunction MAIN::age-at-least (?n)
  (if (any-factp ((?f finding)) (eq ?f:id age))
   then (str-cat "age>=" ?n)
   else "age unknown"))

(defmodule COURSE (import MAIN ?ALL))
(defmodule CONCERNS (import MAIN ?ALL))
(defmodule PRECAUTIONS (import MAIN ?ALL))
(defmodule DISPOSITION (import MAIN ?ALL))
(defmodule INDICATIONS (import MAIN ?ALL))
(defmodule QUESTIONS (import MAIN ?ALL))
