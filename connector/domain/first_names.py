"""Common first names in France, normalised: used to tell a typo from another first name.

« Louis » typed for « Louise » is one letter away, yet both are real first names: a careful
counsellor reads two people, not a typo. A one-letter difference is only tolerated when the
typed first name is not itself a known first name different from the dossier's.
"""

from __future__ import annotations

__all__ = ["KNOWN_FIRST_NAMES"]

_NAMES = """
adam adele adrien agathe ahmed aicha alain alan albane albert alex alexandre alexandra alexia
alexis alice alicia aline alix amandine amaury amelie amine amir anais andre andrea ange angela
angele angelique anna anne annabelle annie anthony antoine antonin apolline arnaud arthur audrey
augustin aurelie aurelien axel axelle aya ayoub baptiste barbara basile bastien beatrice benedicte
benjamin benoit bernard bertrand blanche brigitte bruno camille capucine carla carole caroline
catherine cecile celia celine chantal charles charlie charline charlotte chloe christian
christine christophe claire clara clarisse claude clemence clement clementine colette coline
colin corentin cyril cyrielle daniel danielle david delphine denis diane didier dimitri dominique
dylan eden edouard eliane elias elie elisa elise elodie eloise elsa emeline emile emilie emma
emmanuel emmanuelle enzo eric erwan estelle esteban ethan etienne eugenie eva evan eve fabien
fabienne fabrice fanny fatima fatou felix fernand florence florian francis franck francois
francoise frederic gabin gabriel gabrielle gael gaelle gaspard gauthier genevieve georges gerard
gilles gisele grace guillaume gustave hamza hannah hector helene henri hugo ibrahim ilyes ines
irene isaac isabelle ismael jacqueline jacques jade jean jeanne jeremie jeremy jerome joel johan
jonathan jordan joseph josette josephine joshua juliette julia julie julien jules justin karim
kevin killian lea leana leandre leo leon leonard leonie leopold lilou lina lisa lise loan lois
lola lou louane louis louise luc luca lucas lucie lucien lucile lucille lukas lydie lyna madeleine
mael maelle maelys mahe malik manon marc marcel margaux margot marguerite maria marianne marie
marin marine marion marius marthe martin martine mateo mathias mathieu mathilde mathis matteo
matthieu maxence maxime mehdi melanie melissa melvin michel michele mickael mila milan mohamed
monique morgan moussa myriam nadia nadine naomi natacha nathalie nathan nicolas nicole nina noa
noah noe noel noemie nolan oceane odile olivia olivier omar oscar pascal pascale patrice patricia
patrick paul paula pauline perrine philippe pierre quentin rachel rayan raphael raphaelle remi
renee richard robert robin romain romane rose roxane ruben sabrina sacha salome samia samuel sandra
sandrine sara sarah sebastien serge simon simone solene sophie stephane stephanie suzanne sylvain
sylvie tao theo theophile therese thibault thierry thomas tiago timeo timothee tom tony valentin
valentine valerie vanessa victor victoria vincent violette virginie walid william xavier yanis
yann yannick yasmine yohan youssef yves yvette yvonne zoe zoey
"""

_MORE = """
aaron abdel abdou abdoulaye abel abigail achille adama adele adem adil adriana adriano agnes
ahmad aicha aida aimee aissatou akim alaa alban alessandro alessia alexane alexis alia alicia
alienor aliya alizee allan alois aloys alya alyssa amadou amaia amal amandine amara ambre amel
amelia amina aminata anae anaelle anastasia andy angel angelina angelo anis anissa annabelle
annaelle anouk anthonin apolline aria ariane arielle arnold arsene arwen asma assia assa astrid
audric auguste aurel aurelia aurore ava awa axelle ayman aymeric aymen ayoub azadeh badis
baptistin bastian benoite bertille bilal blaise boris brahim brandon brice bryan calixte callie
calvin cameron candice capucine carine carmen cassandra cassie cecilia cedric celestin celestine
chahinez chaima chaimae chanel charlene charly chayma cheikh chiara christelle cindy claudia
clelia clemence cloe clothilde clotilde coralie corinne cynthia cyprien dalia damien dana daphne
darius dayana deborah delia demba denise desire diana diego dina djibril dorian dorine dounia
dylane edgar edith edwige elena eleonore eliana elina eline elio eliott elisabeth ella elliot
eloane elouan elya elyes elyne emilia emilien emmy emna emy enora enza erin ernest ervin esther
eugene evan evann eve evelyne ewan eyal ezio fabio fanta fares farah fatim fatoumata faustine
felicie ferdinand flavie flavien flora floriane florine francine gaetan gaetane gaston gauthier
gianni gilbert ginette giulia gregoire gregory guilhem gwen gwenael gwendoline habib hadrien
hafsa haroun hassan hawa helena heloise hermine hippolyte hortense houda hugues ibrahima idriss
ilan ilana ilyas imane imran ines ingrid irina iris isaure ishak islam israe issa ivan jacob
jawad jean jeannette jenna jennifer jessica jessy jihane joachim joanna johanna jonas jordane
josselin josue judith julian juliana julien junior justine kaina kais kamel karima katia kelly
kenza kenzo keziah khadija kilian kylian kim lamia lana lara larissa laura laure laurence
laurent laurine layana lazare leandro leane lehna leia lena lenny leonce leopoldine liam lili
lila lilia liliane lilian lily lina lino lisandro livia loane lohan loic loris lorenzo lou
louann louanne louka louna lubin lucia ludivine ludovic luna lyam lya lyla lylou mael maelie
maeva mahaut mahdi maissa maiwenn malak malia malo mamadou mame marc marceau marcelle margot
mariam marianne marilou marina marius marjorie marwa marwan matheo mathys maud maurice maxime
maya maylis mayssa meline melina melody melvin mia mickael milo mina miriam moana mohammed
morgane mouna moustapha myla nael naelle naima nassim nathanael nael neela nelia nelson nelly
nesrine nicolas nils nina nino noam noella nolwenn nora norah nour oumar ousmane owen paloma
paolo patrice paulin penelope perle philomene pierrick priscilla prune quentin rachida rafael
rahma ralph ramy rania rayane rebecca redouane reda regis rémy riad ricardo rita romeo romy
rosalie rose rosine ryad ryan sabine sacha safa safia salim salma salome samba sami samia samir
samira sana sandy sasha selena selim selma serena sibylle siham sixtine soan sofia sofiane
sohan solal solene soline sonia soraya souleymane steeve steven swann sybille sylvan syrine
tatiana teddy thea theo tiphaine titouan tristan ugo ulysse valentino vera victoire vincenzo
virgile wassim wendy wilfried william yacine yanis yanni yannis yasmina yassine yasmine ylan
ysee yoan younes youssouf yuna yvan zakaria zelie zineb zoe
"""

KNOWN_FIRST_NAMES = frozenset((_NAMES + _MORE).replace("é", "e").split())
